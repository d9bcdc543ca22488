import { num } from '../format.ts';
/**
 * A bar chart in plain SVG (attributes only; colours from CSS classes): one or more series as
 * grouped bars per bucket. The SVG is role="img" with a summary as its label; the numbers are
 * also in a table under it.
 */

export interface BarSeries {
  name: string;
  /** CSS class of its bars and legend swatch. */
  cls: string;
  values: number[];
}

const W = 720;
const H = 200;
const ML = 54;
const MR = 8;
const MT = 12;
const MB = 26;

/** 1, 2, 2.5, 5 × 10^n at or above `v` (at least 1). */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= v) return m * pow;
  return 10 * pow;
}


export function barSummary(title: string, labels: string[], series: BarSeries[]): string {
  if (labels.length === 0) return `${title}: no data.`;
  const parts = series.map((s) => {
    const total = s.values.reduce((sum, v) => sum + v, 0);
    let peak = 0;
    s.values.forEach((v, i) => {
      if (v > s.values[peak]!) peak = i;
    });
    return total === 0 ? `${s.name}: none` : `${s.name}: ${num(total)} in all, most ${num(s.values[peak]!)} at ${labels[peak]}`;
  });
  return `${title}, ${labels.length} bars from ${labels[0]} to ${labels[labels.length - 1]}. ${parts.join('; ')}. The numbers are in the table below the chart.`;
}

export function BarChart({ title, labels, fullLabels, series, id, log = false }: { title: string; labels: string[]; fullLabels: string[]; series: BarSeries[]; id: string; log?: boolean }) {
  const n = labels.length;
  const top = Math.max(0, ...series.flatMap((s) => s.values));
  // Logarithmic: a power of ten at or above the largest value; one noisy bucket no longer flattens the rest.
  const max = log ? 10 ** Math.max(1, Math.ceil(Math.log10(Math.max(1, top)))) : niceCeil(top);
  const plotW = W - ML - MR;
  const plotH = H - MT - MB;
  const slot = n > 0 ? plotW / n : plotW;
  const group = slot * (n > 60 ? 0.9 : 0.78);
  const barW = group / Math.max(1, series.length);
  const y = (v: number) => MT + plotH - (log ? Math.log10(v + 1) / Math.log10(max + 1) : v / max) * plotH;
  const ticks = log ? [0, ...Array.from({ length: Math.round(Math.log10(max)) }, (_, k) => 10 ** (k + 1))] : max >= 2 ? [0, max / 2, max] : [0, max];
  const every = Math.max(1, Math.ceil(n / 8));

  return (
    <figure class="chart bar-chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`}>{title}</figcaption>
      {series.length > 1 && (
        <p class="chart-legend" aria-hidden="true">
          {series.map((s) => (
            <span key={s.name}>
              <span class={`swatch ${s.cls}`} /> {s.name}
            </span>
          ))}
        </p>
      )}
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`${barSummary(title, fullLabels, series)}${log ? ' Logarithmic scale.' : ''}`} preserveAspectRatio="xMidYMid meet">
        {ticks.map((t) => (
          <g key={t} class="tick">
            <line class="grid" x1={ML} x2={W - MR} y1={y(t)} y2={y(t)} />
            <text class="axis" x={ML - 6} y={y(t) + 4} text-anchor="end">
              {Number.isInteger(t) ? num(t) : t.toFixed(1)}
            </text>
          </g>
        ))}
        {labels.map((label, i) => (
          <g key={i}>
            {series.map((s, j) => {
              const v = s.values[i] ?? 0;
              const barTop = y(v);
              return (
                <rect key={s.name} class={`bar ${s.cls}`} x={ML + i * slot + (slot - group) / 2 + j * barW} y={barTop} width={Math.max(1, barW - (series.length > 1 ? 1 : 0))} height={Math.max(0, MT + plotH - barTop)}>
                  <title>{`${fullLabels[i]} — ${s.name}: ${num(v)}`}</title>
                </rect>
              );
            })}
            {i % every === 0 && (
              <text class="axis" x={ML + i * slot + slot / 2} y={H - 8} text-anchor="middle">
                {label}
              </text>
            )}
          </g>
        ))}
        <line class="baseline" x1={ML} x2={W - MR} y1={MT + plotH} y2={MT + plotH} />
      </svg>
      <details class="chart-data">
        <summary>Table of “{title}”</summary>
        <table>
          <caption class="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Bucket (UTC)</th>
              {series.map((s) => (
                <th key={s.name} scope="col" class="num">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {fullLabels.map((label, i) => (
              <tr key={i}>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td key={s.name} class="num">
                    {num(s.values[i] ?? 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
