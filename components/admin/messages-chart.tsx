"use client";

import { AxisBottom, AxisLeft } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { Bar } from "@visx/shape";

const WIDTH = 720;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 8, bottom: 28, left: 40 };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Dec 5" from "2026-12-05" (a UTC day, as the server counted it), the same on the server and in the browser. */
const dayLabel = (date: string) => `${MONTHS[Number(date.slice(5, 7)) - 1]} ${Number(date.slice(8, 10))}`;

/**
 * Messages per day as bars (visx, SVG): scales with its container, coloured by Tailwind classes in both themes. Each
 * bar has a `<title>` (its day and count); screen readers get the same figures as a table.
 *
 * @param data the days, oldest first, as `GET /api/admin/stats` gives them
 */
export function MessagesChart({ data }: { data: { date: string; count: number }[] }) {
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = Math.max(1, ...data.map((d) => d.count));
  const x = scaleBand({ domain: data.map((d) => d.date), range: [0, innerWidth], padding: 0.25 });
  const y = scaleLinear({ domain: [0, max], range: [innerHeight, 0], nice: true });
  const total = data.reduce((sum, d) => sum + d.count, 0);
  return (
    <figure className="flex flex-col gap-2">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full" aria-hidden="true">
        <Group left={MARGIN.left} top={MARGIN.top}>
          {y.ticks(4).map((t) => (
            <line key={t} x1={0} x2={innerWidth} y1={y(t)} y2={y(t)} className="stroke-zinc-200 dark:stroke-zinc-800" />
          ))}
          {data.map((d) => {
            const barHeight = innerHeight - (y(d.count) ?? innerHeight);
            return (
              <Bar
                key={d.date}
                x={x(d.date)}
                y={innerHeight - barHeight}
                width={x.bandwidth()}
                height={barHeight}
                rx={2}
                className="fill-indigo-500 dark:fill-indigo-400"
              >
                <title>{`${dayLabel(d.date)}: ${d.count} ${d.count === 1 ? "message" : "messages"}`}</title>
              </Bar>
            );
          })}
          <AxisLeft
            scale={y}
            numTicks={4}
            hideAxisLine
            hideTicks
            tickFormat={(v) => String(v)}
            tickLabelProps={{ className: "fill-zinc-500 dark:fill-zinc-400", fontSize: 11, textAnchor: "end", dx: -4, dy: 4 }}
          />
          <AxisBottom
            top={innerHeight}
            scale={x}
            hideTicks
            axisLineClassName="stroke-zinc-300 dark:stroke-zinc-700"
            tickValues={data.filter((_, i) => i % 7 === data.length % 7 || i === data.length - 1).map((d) => d.date)}
            tickFormat={(v) => dayLabel(String(v))}
            tickLabelProps={{ className: "fill-zinc-500 dark:fill-zinc-400", fontSize: 11, textAnchor: "middle" }}
          />
        </Group>
      </svg>
      <figcaption className="text-sm text-zinc-600 dark:text-zinc-400">
        {total} {total === 1 ? "message" : "messages"} in the last 30 days (days in UTC).
      </figcaption>
      <table className="sr-only">
        <caption>Messages per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Messages</th>
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.date}>
              <td>{dayLabel(d.date)}</td>
              <td>{d.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
