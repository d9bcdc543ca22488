import { badRequest, OPEN_STATUSES, PRIORITIES, type Incident, type IncidentStatus, type Priority } from '../core/index.ts';
import { evaluateSla } from './sla.ts';

export type StatsPeriod = 'hour' | 'day' | 'week' | 'month';
export type OpenStatus = Exclude<IncidentStatus, 'resolved' | 'closed' | 'false_positive'>;

/** One duration metric; the figures are null when nothing was measured. */
export interface DurationStats {
  count: number;
  mean_seconds: number | null;
  median_seconds: number | null;
  p90_seconds: number | null;
  /** The longest: for dwell time, the breach that went unnoticed longest. */
  max_seconds: number | null;
}

export interface MetricSet {
  /** Incidents in the group (each metric's count is those that reached that point). */
  incidents: number;
  /** Time to detect: first event → detection. */
  mttd: DurationStats;
  /** Time to acknowledge: detection → ack. */
  mtta: DurationStats;
  /** Time to resolve: detection → resolution (false positives included). */
  mttr: DurationStats;
  /** Dwell: first evidence → detection (first event unless the incident records earlier evidence). */
  dwell: DurationStats;
}

export interface ResponseStats {
  from: string;
  to: string;
  period: StatsPeriod;
  overall: MetricSet;
  by_priority: Record<Priority, MetricSet>;
  /** Every bucket of the range, empty ones included, in order; `start` is the bucket's UTC start. */
  by_period: Array<{ start: string } & MetricSet>;
  /** Of the incidents in the range, those still open. */
  open: { total: number; by_status: Record<OpenStatus, number>; by_priority: Record<Priority, number> };
  /** Of the incidents in the range, those that missed an SLA target (evaluated at `now`, so unrecorded misses count). */
  sla_breached: number;
}

export interface ResponseStatsOptions {
  from: Date;
  to: Date;
  period: StatsPeriod;
  now?: Date;
}

/** Bounds the bucket list (an hourly view over years would be a huge answer). */
export const MAX_PERIOD_BUCKETS = 10_000;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function periodStart(ms: number, period: StatsPeriod): number {
  switch (period) {
    case 'hour':
      return Math.floor(ms / HOUR) * HOUR;
    case 'day':
      return Math.floor(ms / DAY) * DAY;
    case 'week': {
      const day = Math.floor(ms / DAY) * DAY;
      return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY; // back to Monday
    }
    case 'month': {
      const d = new Date(ms);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
  }
}

function nextPeriod(start: number, period: StatsPeriod): number {
  if (period === 'hour') return start + HOUR;
  if (period === 'day') return start + DAY;
  if (period === 'week') return start + 7 * DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** Seconds from one timestamp to another; null when either is missing or unreadable. Clamped at 0: event clocks can run ahead of ours. */
function span(fromIso: string | null | undefined, toIso: string | null | undefined): number | null {
  if (!fromIso || !toIso) return null;
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return Number.isNaN(ms) ? null : Math.max(0, ms) / 1000;
}

/** Quantile by linear interpolation between closest ranks (so the median of an even count is the mean of the middle two). */
function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Rounded to the millisecond, so float noise does not show up in answers. */
const round = (s: number) => Math.round(s * 1000) / 1000;

function durationStats(values: number[]): DurationStats {
  if (values.length === 0) return { count: 0, mean_seconds: null, median_seconds: null, p90_seconds: null, max_seconds: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return { count: sorted.length, mean_seconds: round(mean), median_seconds: round(quantile(sorted, 0.5)), p90_seconds: round(quantile(sorted, 0.9)), max_seconds: round(sorted[sorted.length - 1]!) };
}

interface Durations {
  mttd: number | null;
  mtta: number | null;
  mttr: number | null;
  dwell: number | null;
}

function durationsOf(incident: Incident): Durations {
  // Evidence a retro-hunt found later moves the start of dwell time back, not of time to detect.
  const firstEvidence = incident.first_evidence_at && incident.first_evidence_at < incident.first_seen ? incident.first_evidence_at : incident.first_seen;
  return {
    mttd: span(incident.first_seen, incident.detected_at),
    mtta: span(incident.detected_at, incident.acknowledged_at),
    mttr: span(incident.detected_at, incident.resolved_at),
    dwell: span(firstEvidence, incident.detected_at),
  };
}

function metricSet(group: Durations[]): MetricSet {
  const pick = (key: keyof Durations) => durationStats(group.map((d) => d[key]).filter((v): v is number => v !== null));
  return { incidents: group.length, mttd: pick('mttd'), mtta: pick('mtta'), mttr: pick('mttr'), dwell: pick('dwell') };
}

const byPriority = <T>(make: () => T): Record<Priority, T> => Object.fromEntries(PRIORITIES.map((p) => [p, make()])) as Record<Priority, T>;

/** Detection and response times of the incidents detected in [from, to), overall, per priority and per UTC period. */
export function responseStats(incidents: Incident[], options: ResponseStatsOptions): ResponseStats {
  const { period } = options;
  const fromMs = options.from.getTime();
  const toMs = options.to.getTime();
  if (!(fromMs < toMs)) throw badRequest("'from' must be a time before 'to'", 'from');
  const now = options.now ?? new Date();

  // The first bucket starts at the period boundary at or before `from`.
  const starts: number[] = [];
  for (let s = periodStart(fromMs, period); s < toMs; s = nextPeriod(s, period)) {
    if (starts.length === MAX_PERIOD_BUCKETS) throw badRequest(`more than ${MAX_PERIOD_BUCKETS} ${period} buckets; use a longer period or a shorter range`, 'period');
    starts.push(s);
  }
  const bucketOf = new Map(starts.map((s, i) => [s, i]));

  const all: Durations[] = [];
  const perPriority = byPriority<Durations[]>(() => []);
  const perBucket: Durations[][] = starts.map(() => []);
  const open = { total: 0, by_status: Object.fromEntries(OPEN_STATUSES.map((s) => [s, 0])) as Record<OpenStatus, number>, by_priority: byPriority(() => 0) };
  let slaBreached = 0;

  for (const incident of incidents) {
    const detectedMs = Date.parse(incident.detected_at);
    if (!(detectedMs >= fromMs && detectedMs < toMs)) continue;
    const d = durationsOf(incident);
    all.push(d);
    perPriority[incident.priority]?.push(d);
    perBucket[bucketOf.get(periodStart(detectedMs, period))!].push(d);
    if (OPEN_STATUSES.includes(incident.status)) {
      open.total++;
      open.by_status[incident.status as OpenStatus]++;
      if (incident.priority in open.by_priority) open.by_priority[incident.priority]++;
    }
    if (evaluateSla(incident, now).sla.breached) slaBreached++;
  }

  return {
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    period,
    overall: metricSet(all),
    by_priority: Object.fromEntries(PRIORITIES.map((p) => [p, metricSet(perPriority[p])])) as Record<Priority, MetricSet>,
    by_period: starts.map((s, i) => ({ start: new Date(s).toISOString(), ...metricSet(perBucket[i]) })),
    open,
    sla_breached: slaBreached,
  };
}
