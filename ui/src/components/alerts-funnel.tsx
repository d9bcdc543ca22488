import { num } from '../format.ts';
/**
 * The noise funnel as SVG horizontal bars: one bar per stage with its count and its share of the
 * stage before. Bar lengths are on a logarithmic scale (events outnumber incidents by orders of
 * magnitude); the counts are printed. aria-label and a visually hidden table carry the data.
 */

export interface FunnelStage {
  label: string;
  count: number;
}

const W = 720;
const ROW = 34;
const LABEL_W = 118;
const COUNT_W = 170;


const share = (count: number, previous: number | undefined) => (previous === undefined ? null : previous === 0 ? null : count / previous);
const pct = (ratio: number) => (ratio >= 0.1 || ratio === 0 ? `${Math.round(ratio * 100)}%` : `${(ratio * 100).toFixed(1)}%`);

export function Funnel({ stages, title, footnote }: { stages: FunnelStage[]; title: string; footnote?: string }) {
  const max = Math.max(1, ...stages.map((s) => s.count));
  const plotW = W - LABEL_W - COUNT_W;
  const length = (count: number) => (count <= 0 ? 0 : Math.max(3, (Math.log10(count + 1) / Math.log10(max + 1)) * plotW));
  const height = stages.length * ROW + 4;
  const summary = `${title}: ${stages
    .map((s, i) => {
      const ratio = share(s.count, stages[i - 1]?.count);
      return `${num(s.count)} ${s.label}${ratio === null ? '' : ` (${pct(ratio)} of ${stages[i - 1]!.label})`}`;
    })
    .join(', ')}${footnote ? `. ${footnote}` : ''}`;

  return (
    <figure class="funnel">
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={summary} focusable="false">
        {stages.map((stage, i) => {
          const y = 2 + i * ROW;
          const w = length(stage.count);
          const x = LABEL_W + (plotW - w) / 2;
          const ratio = share(stage.count, stages[i - 1]?.count);
          return (
            <g key={stage.label} class={`stage stage-${i}`}>
              <text class="stage-label" x={LABEL_W - 8} y={y + ROW / 2}>
                {stage.label}
              </text>
              <rect class="track" x={LABEL_W} y={y + 4} width={plotW} height={ROW - 8} rx={3} />
              {w > 0 && <rect class="bar" x={x} y={y + 4} width={w} height={ROW - 8} rx={3} />}
              <text class="stage-count" x={W - COUNT_W + 8} y={y + ROW / 2}>
                {num(stage.count)}
                {ratio !== null && <tspan class="stage-share">{`  ${pct(ratio)} of previous`}</tspan>}
              </text>
            </g>
          );
        })}
      </svg>
      <table class="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Count</th>
            <th scope="col">Share of the stage before</th>
          </tr>
        </thead>
        <tbody>
          {stages.map((s, i) => {
            const ratio = share(s.count, stages[i - 1]?.count);
            return (
              <tr key={s.label}>
                <th scope="row">{s.label}</th>
                <td>{num(s.count)}</td>
                <td>{ratio === null ? '—' : pct(ratio)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {footnote && <figcaption class="muted">{footnote}</figcaption>}
    </figure>
  );
}
