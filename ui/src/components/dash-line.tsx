import { niceCeil } from './dash-bars.tsx';

/**
 * A small line chart in plain SVG: one series per bucket, gaps where a bucket has no value.
 * role="img" with a summary as its label; the page gives the numbers as a table too.
 */

const W = 340;
const H = 150;
const ML = 58;
const MR = 10;
const MT = 10;
const MB = 22;

export function lineSummary(title: string, fullLabels: string[], values: Array<number | null>, format: (v: number) => string, bucketName: string): string {
  const points = values.map((v, i) => ({ v, i })).filter((p): p is { v: number; i: number } => p.v !== null);
  if (points.length === 0) return `${title}: nothing measured in this period.`;
  const last = points[points.length - 1]!;
  const low = points.reduce((a, b) => (b.v < a.v ? b : a));
  const high = points.reduce((a, b) => (b.v > a.v ? b : a));
  return `${title}: ${points.length} of ${values.length} ${bucketName}s measured; latest ${format(last.v)} (${fullLabels[last.i]}), lowest ${format(low.v)} (${fullLabels[low.i]}), highest ${format(high.v)} (${fullLabels[high.i]}).`;
}

/** A round duration (seconds) at or above `v`: 1 min, 5 min, 10 min, 30 min, 1 h, 2 h, 6 h, 12 h, 1 d, 2 d, 7 d... */
export function niceDuration(v: number): number {
  const steps = [60, 300, 600, 1800, 3600, 7200, 21_600, 43_200, 86_400, 172_800, 604_800, 2_592_000];
  for (const s of steps) if (s >= v) return s;
  return niceCeil(v / 86_400) * 86_400;
}

export function LineChart({
  title,
  labels,
  fullLabels,
  values,
  format,
  bucketName,
  id,
  niceMax = niceCeil,
}: {
  title: string;
  labels: string[];
  fullLabels: string[];
  values: Array<number | null>;
  format: (v: number) => string;
  bucketName: string;
  id: string;
  niceMax?: (v: number) => number;
}) {
  const n = values.length;
  const max = niceMax(Math.max(0, ...values.filter((v): v is number => v !== null)));
  const plotW = W - ML - MR;
  const plotH = H - MT - MB;
  const slot = n > 0 ? plotW / n : plotW;
  const x = (i: number) => ML + i * slot + slot / 2;
  const y = (v: number) => MT + plotH - (v / max) * plotH;
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
    pen = true;
  });
  const every = Math.max(1, Math.ceil(n / 4));

  return (
    <figure class="chart line-chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`}>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={lineSummary(title, fullLabels, values, format, bucketName)} preserveAspectRatio="xMidYMid meet">
        {[0, max / 2, max].map((t, k) => (
          <g key={k} class="tick">
            <line class="grid" x1={ML} x2={W - MR} y1={y(t)} y2={y(t)} />
            <text class="axis" x={ML - 6} y={y(t) + 4} text-anchor="end">
              {format(t)}
            </text>
          </g>
        ))}
        {labels.map((label, i) =>
          i % every === 0 ? (
            <text key={i} class="axis" x={x(i)} y={H - 6} text-anchor="middle">
              {label}
            </text>
          ) : null,
        )}
        <line class="baseline" x1={ML} x2={W - MR} y1={MT + plotH} y2={MT + plotH} />
        {d && <path class="line" d={d.trim()} />}
        {values.map((v, i) =>
          v === null ? null : (
            <circle key={i} class="point" cx={x(i)} cy={y(v)} r={2.6}>
              <title>{`${fullLabels[i]}: ${format(v)}`}</title>
            </circle>
          ),
        )}
      </svg>
    </figure>
  );
}
