import { useId } from "react";
import { Input } from "./input";

/**
 * A labelled text box with its error under it: the label names the input, and while `error` is set the input is
 * `aria-invalid` and described by it, so screen readers read the error with the field.
 *
 * @param label the field's name
 * @param hint quieter words after the label, such as "(optional)"
 * @param error what is wrong with the value, or null
 */
export function TextField({
  label,
  hint,
  error,
  id,
  ...props
}: React.ComponentProps<typeof Input> & { label: string; hint?: React.ReactNode; error?: string | null }) {
  const generated = useId();
  const inputId = id ?? generated;
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={inputId} className="text-sm font-medium">
        {label}
        {hint && <span className="font-normal text-zinc-500 dark:text-zinc-400"> {hint}</span>}
      </label>
      <Input id={inputId} aria-invalid={error ? true : undefined} aria-describedby={error ? `${inputId}-error` : undefined} {...props} />
      {error && (
        <p id={`${inputId}-error`} className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
