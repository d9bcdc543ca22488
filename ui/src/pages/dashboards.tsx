import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, qs } from '../api.ts';
import { duration, num } from '../format.ts';
import { navigate, useRoute } from '../router.ts';
import { ErrorBox, Section } from '../components/common.tsx';
import { BarChart } from '../components/dash-bars.tsx';
import { LineChart, niceDuration } from '../components/dash-line.tsx';
import {
  METRICS,
  PERIODS,
  bucketFull,
  bucketLabel,
  bucketStarts,
  mergeNoise,
  percent,
  sumDropped,
  type Histogram,
  type NoiseReport,
  type PeriodSpec,
  type ResponseStats,
} from '../components/dash-model.tsx';
import './dashboards.css';

const iso = (ms: number) => new Date(ms).toISOString();
const TOP_RULES = 15;

interface Loaded<T> {
  data: T | null;
  error: unknown;
}
const empty = <T,>(): Loaded<T> => ({ data: null, error: null });

/**
 * Volume, compression and response: event volume (histogram), detections, alerts and incidents
 * per bucket (the noise ledger, one call per bucket), compression for the period, MTTD / MTTA /
 * MTTR / dwell medians per bucket, and the noisiest rules. Period in the address (?period=7d).
 */
export function DashboardsPage() {
  const route = useRoute();
  const periodKey = route.params.get('period') ?? '7d';
  const spec: PeriodSpec = PERIODS.find((p) => p.key === periodKey) ?? PERIODS[1]!;
  const [reload, setReload] = useState(0);
  const [logScale, setLogScale] = useState(false);
  const [span, setSpan] = useState<{ starts: number[]; now: number } | null>(null);
  const [histogram, setHistogram] = useState<Loaded<Histogram>>(empty);
  const [noise, setNoise] = useState<Loaded<NoiseReport[]>>(empty);
  const [response, setResponse] = useState<Loaded<ResponseStats>>(empty);
  const [ruleTitles, setRuleTitles] = useState<Map<string, string>>(new Map());
  const generation = useRef(0);

  // Rule titles for the noisy-rules table (ids of alerts from other systems stay as they are).
  useEffect(() => {
    api
      .get<{ items: Array<{ id: string; title: string }> }>('/api/v1/rules')
      .then((answer) => setRuleTitles(new Map(answer.items.map((r) => [r.id, r.title]))))
      .catch(() => undefined);
  }, []);

  useEffect(() => {
    const gen = ++generation.current;
    const current = () => gen === generation.current;
    const now = Date.now();
    const starts = bucketStarts(spec, now);
    const from = starts[0]!;
    setSpan({ starts, now });
    setHistogram(empty());
    setNoise(empty());
    setResponse(empty());

    api
      .get<Histogram>(`/api/v1/events/histogram${qs({ from: iso(from), to: iso(now), interval: spec.histogramInterval })}`)
      .then((data) => current() && setHistogram({ data, error: null }))
      .catch((error) => current() && setHistogram({ data: null, error }));
    // One ledger per bucket, in parallel (at most 30).
    Promise.all(starts.map((s) => api.get<NoiseReport>(`/api/v1/stats/noise${qs({ from: iso(s), to: iso(Math.min(s + spec.bucketMs, now)) })}`)))
      .then((data) => current() && setNoise({ data, error: null }))
      .catch((error) => current() && setNoise({ data: null, error }));
    api
      .get<ResponseStats>(`/api/v1/stats/response${qs({ from: iso(from), to: iso(now), period: spec.bucketName })}`)
      .then((data) => current() && setResponse({ data, error: null }))
      .catch((error) => current() && setResponse({ data: null, error }));
  }, [spec.key, reload]);

  const labels = useMemo(() => (span ? span.starts.map((s) => bucketLabel(s, spec.bucketMs)) : []), [span]);
  const fullLabels = useMemo(() => (span ? span.starts.map((s) => bucketFull(s, spec.bucketMs)) : []), [span]);
  const merged = useMemo(() => (noise.data ? mergeNoise(noise.data) : null), [noise.data]);

  // The response buckets on the page's buckets (by start time).
  const trend = useMemo(() => {
    if (!span || !response.data) return null;
    const byStart = new Map(response.data.by_period.map((b) => [Date.parse(b.start), b]));
    return span.starts.map((s) => byStart.get(s) ?? null);
  }, [span, response.data]);

  const bucketWord = spec.bucketName;

  return (
    <div class="dashboards">
      <h1>Dashboards</h1>
      <div class="dash-controls">
        <fieldset class="period">
          <legend>Period</legend>
          {PERIODS.map((p) => (
            <label key={p.key} class="radio">
              <input type="radio" name="dash-period" value={p.key} checked={p.key === spec.key} onChange={() => navigate('/dashboards', { period: p.key })} /> {p.label}
            </label>
          ))}
        </fieldset>
        <button type="button" onClick={() => setReload((n) => n + 1)}>
          Refresh
        </button>
        <span class="muted" aria-live="polite">
          {span ? `${fullLabels[0]} to now, by ${bucketWord} (UTC)` : ''}
        </span>
      </div>

      <Section title="Volume" id="dash-volume">
        <div class="chart-grid">
          <div>
            <ErrorBox error={histogram.error} />
            {histogram.data ? (
              <BarChart
                id="chart-events"
                title={`Events per ${histogram.data.interval_ms >= 86_400_000 ? 'day' : `${Math.round(histogram.data.interval_ms / 3_600_000)} h`}`}
                labels={histogram.data.buckets.map((b) => bucketLabel(Date.parse(b.start), histogram.data!.interval_ms))}
                fullLabels={histogram.data.buckets.map((b) => bucketFull(Date.parse(b.start), histogram.data!.interval_ms))}
                series={[{ name: 'Events', cls: 's-events', values: histogram.data.buckets.map((b) => b.count) }]}
              />
            ) : (
              !histogram.error && <p class="loading">Loading event volume…</p>
            )}
          </div>
          <div>
            <ErrorBox error={noise.error} />
            <label class="check log-toggle">
              <input type="checkbox" checked={logScale} onChange={(e) => setLogScale((e.target as HTMLInputElement).checked)} /> Logarithmic scale
            </label>
            {noise.data ? (
              <BarChart
                id="chart-alerts"
                log={logScale}
                title={`Detections, alerts and incidents per ${bucketWord}`}
                labels={labels}
                fullLabels={fullLabels}
                series={[
                  { name: 'Detections', cls: 's-detections', values: noise.data.map((r) => r.totals.detections) },
                  { name: 'Alerts', cls: 's-alerts', values: noise.data.map((r) => r.totals.alerts) },
                  { name: 'Incidents', cls: 's-incidents', values: noise.data.map((r) => r.totals.incidents) },
                ]}
              />
            ) : (
              !noise.error && <p class="loading">Loading the noise ledger…</p>
            )}
          </div>
        </div>
      </Section>

      <Section title="Compression" id="dash-compression">
        {merged ? (
          <dl class="big-numbers">
            <div>
              <dt>Events</dt>
              <dd>{num(merged.totals.events)}</dd>
            </div>
            <div>
              <dt>Detections</dt>
              <dd>{num(merged.totals.detections)}</dd>
            </div>
            <div>
              <dt>Alerts</dt>
              <dd>{num(merged.totals.alerts)}</dd>
            </div>
            <div>
              <dt>Incidents</dt>
              <dd>{num(merged.totals.incidents)}</dd>
            </div>
            <div class="ratio">
              <dt>Alert → incident compression</dt>
              <dd>{percent(merged.totals.alerts > 0 ? 1 - merged.totals.incidents / merged.totals.alerts : null)}</dd>
            </div>
            <div class="ratio">
              <dt>Event → incident compression</dt>
              <dd>{percent(merged.totals.events > 0 ? 1 - merged.totals.incidents / merged.totals.events : null)}</dd>
            </div>
            <div>
              <dt>Detections per incident</dt>
              <dd>{merged.totals.incidents > 0 ? (merged.totals.detections / merged.totals.incidents).toFixed(1) : '—'}</dd>
            </div>
            <div>
              <dt>Dropped</dt>
              <dd>{num(sumDropped(merged.totals.dropped))}</dd>
            </div>
          </dl>
        ) : (
          !noise.error && <p class="loading">Loading…</p>
        )}
        {merged && Object.keys(merged.totals.dropped).length > 0 && (
          <p class="sub">
            Dropped by reason:{' '}
            {Object.entries(merged.totals.dropped)
              .sort((a, b) => b[1] - a[1])
              .map(([reason, n]) => `${reason} ${num(n)}`)
              .join(', ')}
          </p>
        )}
      </Section>

      <Section title="Detection and response times" id="dash-response">
        <ErrorBox error={response.error} />
        {response.data && trend ? (
          <>
            <dl class="big-numbers response-numbers">
              {METRICS.map((m) => {
                const stats = response.data!.overall[m.key];
                return (
                  <div key={m.key}>
                    <dt>
                      {m.short} <span class="muted">({m.name}, median)</span>
                    </dt>
                    <dd>{duration(stats.median_seconds)}</dd>
                    <dd class="sub">
                      p90 {duration(stats.p90_seconds)} · {stats.count} measured
                    </dd>
                  </div>
                );
              })}
            </dl>
            <div class="chart-grid four">
              {METRICS.map((m) => (
                <LineChart
                  key={m.key}
                  id={`chart-${m.key}`}
                  title={`${m.short}: median ${m.name} per ${bucketWord}`}
                  labels={labels}
                  fullLabels={fullLabels}
                  values={trend.map((b) => b?.[m.key].median_seconds ?? null)}
                  format={(v) => duration(v)}
                  bucketName={bucketWord}
                  niceMax={niceDuration}
                />
              ))}
            </div>
            <details class="chart-data">
              <summary>Table of the medians per {bucketWord}</summary>
              <table>
                <caption class="sr-only">Median MTTD, MTTA, MTTR and dwell time per {bucketWord}</caption>
                <thead>
                  <tr>
                    <th scope="col">{bucketWord === 'hour' ? 'Hour' : 'Day'} (UTC)</th>
                    <th scope="col" class="num">
                      Incidents
                    </th>
                    {METRICS.map((m) => (
                      <th key={m.key} scope="col" class="num">
                        {m.short}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {trend.map((b, i) => (
                    <tr key={i}>
                      <th scope="row">{fullLabels[i]}</th>
                      <td class="num">{b?.incidents ?? 0}</td>
                      {METRICS.map((m) => (
                        <td key={m.key} class="num">
                          {duration(b?.[m.key].median_seconds)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </>
        ) : (
          !response.error && <p class="loading">Loading response statistics…</p>
        )}
      </Section>

      <Section title="Top noisy rules" id="dash-noisy">
        {merged ? (
          merged.byRule.length === 0 ? (
            <p class="empty">No detection in this period.</p>
          ) : (
            <table class="noisy-rules">
              <caption class="sr-only">The {TOP_RULES} rules with the most detections in the period</caption>
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col" class="num">
                    Detections
                  </th>
                  <th scope="col" class="num">
                    Alerts
                  </th>
                  <th scope="col" class="num">
                    Incidents
                  </th>
                  <th scope="col" class="num">
                    Dropped
                  </th>
                </tr>
              </thead>
              <tbody>
                {merged.byRule.slice(0, TOP_RULES).map((r) => {
                  const dropped = sumDropped(r.dropped);
                  const reasons = Object.entries(r.dropped)
                    .map(([reason, n]) => `${reason}: ${num(n)}`)
                    .join(', ');
                  const title = ruleTitles.get(r.rule_id);
                  return (
                    <tr key={r.rule_id}>
                      <td>
                        {title ?? r.rule_id}
                        {title && <div class="sub id">{r.rule_id}</div>}
                      </td>
                      <td class="num">{num(r.detections)}</td>
                      <td class="num">{num(r.alerts)}</td>
                      <td class="num">{num(r.incidents)}</td>
                      <td class="num">
                        {num(dropped)}
                        {reasons && <div class="sub">{reasons}</div>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        ) : (
          !noise.error && <p class="loading">Loading…</p>
        )}
      </Section>
    </div>
  );
}
