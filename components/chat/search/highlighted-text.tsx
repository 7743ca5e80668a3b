import type { z } from "zod";
import type { highlightSegment } from "@/lib/schemas/search";

type Segment = z.infer<typeof highlightSegment>;

/**
 * One fragment of a search result: its segments as text, what the query matched in `<mark>`. Plain text only (the
 * segments are never HTML, and are never rendered as such).
 */
export function HighlightedText({ segments }: { segments: readonly Segment[] }) {
  return (
    <>
      {segments.map((s, i) =>
        s.match ? (
          <mark key={i} className="rounded-sm bg-amber-200/80 px-px text-inherit dark:bg-amber-400/30 dark:text-amber-50">
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}
