import { cn } from "@/lib/cn";

/**
 * A form's own error, above its fields: what the server refused that belongs to no one field (a rate limit, an
 * outage, wrong credentials). An alert, so screen readers announce it as it appears; `testId` names it for tests
 * (Next's route announcer is an alert too).
 */
export function FormError({ testId, className, children }: { testId: string; className?: string; children: React.ReactNode }) {
  return (
    <p
      data-testid={testId}
      role="alert"
      className={cn("rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-200", className)}
    >
      {children}
    </p>
  );
}
