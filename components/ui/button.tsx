"use client";

import { Button as ButtonPrimitive } from "@base-ui/react/button";
import { type ButtonSize, type ButtonVariant, buttonVariants } from "./button-variants";

export { buttonVariants, type ButtonSize, type ButtonVariant } from "./button-variants";

/**
 * A button (Base UI's, so a native `<button type="button">` unless `type` says otherwise) in one of the app's looks.
 * Give an icon-only button an `aria-label`.
 *
 * @param variant "primary" (filled, the one main action), "secondary" (white, outlined), "ghost" (no frame: quiet
 *   actions and icon buttons), "danger" (filled red: confirms a destruction), "danger-secondary" (outlined, red text)
 * @param size "xs", "sm", "md" (default) or "icon" (a 36 px circle for one icon)
 */
export function Button({
  variant,
  size,
  className,
  ...props
}: Omit<ButtonPrimitive.Props, "className"> & { variant?: ButtonVariant; size?: ButtonSize; className?: string }) {
  return <ButtonPrimitive className={buttonVariants({ variant, size, className })} {...props} />;
}
