import { time, num } from '../format.ts';

/** Matches over time as SVG bars, with an aria-label summary and a visually hidden table of the counts. */

export interface HistogramBucket {
  start: string;
  count: number;
}

const W = 1000;
const H = 170;
const LEFT = 48;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 22;


/** A bucket size as people say it: 30 s, 5 min, 1 h, 1 d. */
export function intervalLabel(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${s / 60} min`;
  if (s < 86_400) return `${s / 3600} h`;
  if (s % 604_800 === 0) return `${s / 604_800} w`;
  return `${s / 86_400} d`;
}

/** An axis label: the day for long ranges, the minute otherwise (UTC like the table). */
function tick(iso: string, rangeMs: number): string {
  const full = time(iso);
  return rangeMs >= 3 * 86_400_000 ? full.slice(0, 10) : rangeMs >= 86_400_000 ? full.slice(5, 16) : full.slice(11, 16);
}

export function Histogram({ buckets, intervalMs }: { buckets: HistogramBucket[]; intervalMs: number }) {
  if (buckets.length === 0) return <p class="empty">No time range to chart.</p>;
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const peak = buckets.reduce((best, b) => (b.count > best.count ? b : best), buckets[0]!);
  const first = buckets[0]!.start;
  const endMs = Date.parse(buckets[buckets.length - 1]!.start) + intervalMs;
  const end = new Date(endMs).toISOString();
  const rangeMs = endMs - Date.parse(first);
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const step = plotW / buckets.length;
  const gap = step > 4 ? 1 : 0;
  const size = intervalLabel(intervalMs);
  const summary =
    total === 0
      ? `Matches over time: none between ${time(first)} and ${time(end)}`
      : `Matches over time: ${num(total)} event${total === 1 ? '' : 's'} between ${time(first)} and ${time(end)}, in ${buckets.length} bars of ${size} each; ` +
        `the busiest bar starts ${time(peak.start)} with ${num(peak.count)}`;
  const nonEmpty = buckets.filter((b) => b.count > 0);
  const mid = buckets[Math.floor(buckets.length / 2)]!;

  return (
    <figure class="histogram">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} focusable="false">
        <line class="axis" x1={LEFT} y1={TOP + plotH} x2={W - RIGHT} y2={TOP + plotH} />
        <line class="grid" x1={LEFT} y1={TOP} x2={W - RIGHT} y2={TOP} />
        <text class="ylabel" x={LEFT - 6} y={TOP + 4}>
          {num(max)}
        </text>
        <text class="ylabel" x={LEFT - 6} y={TOP + plotH}>
          0
        </text>
        {buckets.map((b, i) => {
          if (b.count === 0) return null;
          const h = Math.max(1, (b.count / max) * plotH);
          return (
            <rect key={b.start} class="bar" x={LEFT + i * step} y={TOP + plotH - h} width={Math.max(1.5, step - gap)} height={h}>
              <title>{`${time(b.start)}: ${num(b.count)}`}</title>
            </rect>
          );
        })}
        <text class="xlabel start" x={LEFT} y={H - 6}>
          {tick(first, rangeMs)}
        </text>
        {buckets.length > 4 && (
          <text class="xlabel middle" x={LEFT + Math.floor(buckets.length / 2) * step} y={H - 6}>
            {tick(mid.start, rangeMs)}
          </text>
        )}
        <text class="xlabel end" x={W - RIGHT} y={H - 6}>
          {tick(end, rangeMs)}
        </text>
      </svg>
      <figcaption class="muted">
        {num(total)} match{total === 1 ? '' : 'es'} · buckets of {size} · UTC
      </figcaption>
      <table class="sr-only">
        <caption>Matching events per {size} bucket (buckets with no match left out)</caption>
        <thead>
          <tr>
            <th scope="col">Bucket start</th>
            <th scope="col">Events</th>
          </tr>
        </thead>
        <tbody>
          {nonEmpty.map((b) => (
            <tr key={b.start}>
              <td>{time(b.start)}</td>
              <td>{num(b.count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
