import { DAY_MS, HOUR_MS, num } from '../format.ts';
/** Dashboards: the periods, their buckets, and the API's answers (noise ledger, response statistics, histogram). */

export { DAY_MS, HOUR_MS } from '../format.ts';

export type PeriodKey = '24h' | '7d' | '30d';

export interface PeriodSpec {
  key: PeriodKey;
  label: string;
  /** Bucket size of the alert/incident volume and of the response trends. */
  bucketMs: number;
  buckets: number;
  bucketName: 'hour' | 'day';
  /** Bar size of the event histogram. */
  histogramInterval: string;
}

export const PERIODS: PeriodSpec[] = [
  { key: '24h', label: '24 h', bucketMs: HOUR_MS, buckets: 24, bucketName: 'hour', histogramInterval: '1h' },
  { key: '7d', label: '7 d', bucketMs: DAY_MS, buckets: 7, bucketName: 'day', histogramInterval: '6h' },
  { key: '30d', label: '30 d', bucketMs: DAY_MS, buckets: 30, bucketName: 'day', histogramInterval: '1d' },
];

/** Bucket starts (UTC hours or days, whole ones, so the noise ledger's hourly rows are never split), the last one holding now. */
export function bucketStarts(spec: PeriodSpec, now: number): number[] {
  const last = Math.floor(now / spec.bucketMs) * spec.bucketMs;
  return Array.from({ length: spec.buckets }, (_, i) => last - (spec.buckets - 1 - i) * spec.bucketMs);
}

export interface StageCounts {
  detections: number;
  alerts: number;
  incidents: number;
  notified: number;
  dropped: Record<string, number>;
}

/** GET /api/v1/stats/noise (the shape src/app/incident-views.ts answers with). */
export interface NoiseReport {
  from: string;
  to: string;
  totals: StageCounts & { events: number };
  compression_ratio: number | null;
  reduction: number | null;
  by_rule: Array<StageCounts & { rule_id: string }>;
  by_source: Array<StageCounts & { source: string }>;
  by_service: Array<StageCounts & { service: string }>;
}

export type { DurationStats, MetricSet, ResponseStats } from '../../../src/incidents/index.ts';

export interface Histogram {
  interval_ms: number;
  buckets: Array<{ start: string; count: number }>;
}

export const METRICS: Array<{ key: 'mttd' | 'mtta' | 'mttr' | 'dwell'; short: string; name: string }> = [
  { key: 'mttd', short: 'MTTD', name: 'time to detect' },
  { key: 'mtta', short: 'MTTA', name: 'time to acknowledge' },
  { key: 'mttr', short: 'MTTR', name: 'time to resolve' },
  { key: 'dwell', short: 'Dwell', name: 'dwell time' },
];

export const sumDropped = (dropped: Record<string, number>) => Object.values(dropped).reduce((sum, n) => sum + n, 0);

/** Sums of several ledgers' totals and per-rule rows. */
export function mergeNoise(reports: NoiseReport[]): { totals: StageCounts & { events: number }; byRule: Array<StageCounts & { rule_id: string }> } {
  const totals = { events: 0, detections: 0, alerts: 0, incidents: 0, notified: 0, dropped: {} as Record<string, number> };
  const rules = new Map<string, StageCounts & { rule_id: string }>();
  const add = (into: StageCounts, from: StageCounts) => {
    into.detections += from.detections;
    into.alerts += from.alerts;
    into.incidents += from.incidents;
    into.notified += from.notified;
    for (const [reason, n] of Object.entries(from.dropped ?? {})) into.dropped[reason] = (into.dropped[reason] ?? 0) + n;
  };
  for (const report of reports) {
    totals.events += report.totals.events;
    add(totals, report.totals);
    for (const row of report.by_rule) {
      let into = rules.get(row.rule_id);
      if (!into) rules.set(row.rule_id, (into = { rule_id: row.rule_id, detections: 0, alerts: 0, incidents: 0, notified: 0, dropped: {} }));
      add(into, row);
    }
  }
  return { totals, byRule: [...rules.values()].sort((a, b) => b.detections - a.detections || b.alerts - a.alerts || a.rule_id.localeCompare(b.rule_id)) };
}

/** A share (0-1) as a percentage, never rounded up to 100 % when something got through. */
export function percent(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return '—';
  const digits = share >= 0.999 && share < 1 ? 3 : 1;
  const factor = 10 ** digits;
  return `${(Math.floor(share * 100 * factor) / factor).toFixed(digits)} %`;
}


/** Short label of a bucket start: "14:00" within a day, "11-27" for days and midnights. */
export function bucketLabel(ms: number, bucketMs: number): string {
  const iso = new Date(ms).toISOString();
  return bucketMs < DAY_MS && iso.slice(11, 16) !== '00:00' ? iso.slice(11, 16) : iso.slice(5, 10);
}

/** Full label of a bucket, for tables and tooltips. */
export function bucketFull(ms: number, bucketMs: number): string {
  const iso = new Date(ms).toISOString();
  return bucketMs < DAY_MS ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z` : iso.slice(0, 10);
}
