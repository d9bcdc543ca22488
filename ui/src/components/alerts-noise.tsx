import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api.ts';
import { time, num } from '../format.ts';
import { ErrorBox } from './common.tsx';
import { Funnel, type FunnelStage } from './alerts-funnel.tsx';
import type { NoiseReport, StageCounts } from './dash-model.tsx';

/** The noise ledger (GET /api/v1/stats/noise): a funnel per period, and the stage counts per rule, source or service. */

export const PERIODS: Array<[string, string]> = [
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
];

export const GROUPS: Array<[string, string]> = [
  ['rule', 'Rule'],
  ['source', 'Source'],
  ['service', 'Service'],
];

interface Row extends StageCounts {
  key: string;
}

function rowsOf(report: NoiseReport, by: string): Row[] {
  const rows =
    by === 'source'
      ? report.by_source.map((r) => ({ ...r, key: r.source }))
      : by === 'service'
        ? report.by_service.map((r) => ({ ...r, key: r.service }))
        : report.by_rule.map((r) => ({ ...r, key: r.rule_id }));
  return rows.sort((a, b) => b.detections - a.detections || b.alerts - a.alerts || a.key.localeCompare(b.key));
}

const dropTotal = (dropped: Record<string, number>) => Object.values(dropped).reduce((s, n) => s + n, 0);
const dropText = (dropped: Record<string, number>) =>
  Object.entries(dropped)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `${reason.replace(/_/g, ' ')} ${num(count)}`)
    .join(', ');
const ratioOf = (detections: number, incidents: number) => (incidents > 0 ? Math.round((detections / incidents) * 100) / 100 : null);
const keyLabel = (key: string) => (key === '' ? '(none)' : key);

function stagesOf(counts: StageCounts & { events?: number }): FunnelStage[] {
  const stages: FunnelStage[] = [];
  if (counts.events !== undefined) stages.push({ label: 'events', count: counts.events });
  stages.push({ label: 'detections', count: counts.detections }, { label: 'alerts', count: counts.alerts }, { label: 'incidents', count: counts.incidents }, { label: 'notifications', count: counts.notified });
  return stages;
}

export function NoisePanel({ period, by, focus, onChange }: { period: string; by: string; focus: string | null; onChange: (next: { period?: string; by?: string; focus?: string | null }) => void }) {
  const [report, setReport] = useState<NoiseReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [ruleTitles, setRuleTitles] = useState<Map<string, string>>(new Map());

  useEffect(() => {
    let live = true;
    setLoading(true);
    api
      .get<NoiseReport>(`/api/v1/stats/noise${qs({ from: `now-${period}` })}`)
      .then(
        (r) => {
          if (!live) return;
          setReport(r);
          setError(null);
        },
        (e) => live && setError(e),
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [period]);

  // Rule titles for the rule ids (best effort: the ids alone still read).
  useEffect(() => {
    api.get<{ items: Array<{ id: string; title: string }> }>('/api/v1/rules').then(
      (r) => setRuleTitles(new Map(r.items.map((rule) => [rule.id, rule.title]))),
      () => undefined,
    );
  }, []);

  const periodLabel = PERIODS.find(([p]) => p === period)?.[1] ?? period;
  const groupLabel = GROUPS.find(([g]) => g === by)?.[1] ?? 'Rule';
  const rows = report ? rowsOf(report, by) : [];
  const focused = focus !== null ? rows.find((r) => r.key === focus) : undefined;
  const name = (key: string) => (by === 'rule' && ruleTitles.get(key) ? `${ruleTitles.get(key)} (${key})` : keyLabel(key));

  let funnel = null;
  if (report) {
    if (focused) {
      const ratio = ratioOf(focused.detections, focused.incidents);
      funnel = (
        <Funnel
          stages={stagesOf(focused)}
          title={`Noise funnel for ${groupLabel.toLowerCase()} ${name(focused.key)}, ${periodLabel.toLowerCase()}`}
          footnote={`Compression ratio: ${ratio === null ? 'no incident' : `${ratio} detections per incident`}. Events are counted for all sources together only. Bar lengths on a logarithmic scale.`}
        />
      );
    } else {
      const t = report.totals;
      funnel = (
        <Funnel
          stages={stagesOf(t)}
          title={`Noise funnel, ${periodLabel.toLowerCase()}`}
          footnote={`Compression ratio: ${report.compression_ratio === null ? 'no incident' : `${report.compression_ratio} detections per incident`}; reduction: ${
            report.reduction === null ? '—' : `${Math.round(report.reduction * 1000) / 10}% of detections did not become an incident of their own`
          }. Bar lengths on a logarithmic scale.`}
        />
      );
    }
  }
  const dropped = focused ? focused.dropped : report?.totals.dropped ?? {};

  return (
    <section class="panel noise" aria-labelledby="noise-h" aria-busy={loading ? 'true' : 'false'}>
      <h2 id="noise-h">Noise ledger</h2>
      <div class="noise-controls">
        <label>
          Period
          <select value={period} onChange={(e) => onChange({ period: (e.target as HTMLSelectElement).value })}>
            {PERIODS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Group by
          <select value={by} onChange={(e) => onChange({ by: (e.target as HTMLSelectElement).value, focus: null })}>
            {GROUPS.map(([value, label]) => (
              <option key={value} value={value}>
                {label.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        {focus !== null && (
          <button type="button" onClick={() => onChange({ focus: null })}>
            Show the funnel for everything
          </button>
        )}
        {report && (
          <span class="muted range">
            {time(report.from)} → {time(report.to)}
          </span>
        )}
      </div>
      <ErrorBox error={error} />
      {funnel}
      {focus !== null && report && !focused && <p class="muted">{`No ${groupLabel.toLowerCase()} ${keyLabel(focus)} in this period.`}</p>}
      {report && (
        <p class="drops">
          <strong>Dropped along the way{focused ? ` for ${groupLabel.toLowerCase()} ${name(focused.key)}` : ''}:</strong> {dropTotal(dropped) === 0 ? 'nothing' : dropText(dropped)}
        </p>
      )}

      {report && (
        <table class="noise-table">
          <caption>
            Stage counts per {groupLabel.toLowerCase()}, most detections first; choose a {groupLabel.toLowerCase()} to see its funnel
          </caption>
          <thead>
            <tr>
              <th scope="col">{groupLabel}</th>
              <th scope="col" class="num">Detections</th>
              <th scope="col" class="num">Alerts</th>
              <th scope="col" class="num">Incidents</th>
              <th scope="col" class="num">Notified</th>
              <th scope="col">Dropped (reason)</th>
              <th scope="col" class="num">Compression</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const ratio = ratioOf(row.detections, row.incidents);
              const selected = focus === row.key;
              return (
                <tr key={row.key} class={selected ? 'selected' : ''}>
                  <th scope="row">
                    <button type="button" class="link-button" aria-pressed={selected ? 'true' : 'false'} onClick={() => onChange({ focus: selected ? null : row.key })}>
                      {name(row.key)}
                    </button>
                  </th>
                  <td class="num">{num(row.detections)}</td>
                  <td class="num">{num(row.alerts)}</td>
                  <td class="num">{num(row.incidents)}</td>
                  <td class="num">{num(row.notified)}</td>
                  <td>{dropTotal(row.dropped) === 0 ? <span class="muted">—</span> : dropText(row.dropped)}</td>
                  <td class="num">{ratio === null ? <span class="muted">—</span> : `${ratio}:1`}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {report && rows.length === 0 && <p class="empty">No detections in this period.</p>}
    </section>
  );
}
