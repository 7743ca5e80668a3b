import { type ClassNameValue, twMerge } from "tailwind-merge";

/**
 * Joins class names, leaving out falsy ones (`cond && "…"`). Of two Tailwind classes that set the same property the
 * later wins (tailwind-merge), so the `className` a caller passes to a primitive in components/ui overrides its default
 * (`cn("px-3 text-sm", "px-4")` → `"text-sm px-4"`) instead of depending on the order of rules in the stylesheet.
 */
export function cn(...classes: ClassNameValue[]): string {
  return twMerge(...classes);
}
