import { badRequest, INCIDENT_STATUSES, OPEN_STATUSES, type Alert, type Incident, type NotificationRecord, type TimelineEntry } from '../core/index.ts';
import { responseStats, type ResponseStats, type StatsPeriod } from '../incidents/index.ts';
import type { Page, Store } from '../store/index.ts';
import { KILL_CHAIN_PHASES } from '../detect/index.ts';
import { phasesOf } from '../triage/index.ts';
import { checkSearchParams, timeParam, type SearchLimits } from './search-params.ts';
import type { SearchParams } from '../api/index.ts';

export interface IncidentDetail extends Incident {
  alerts: Alert[];
  /** Each kill-chain phase reached, in kill-chain order, with when and by which rule it was first seen. */
  kill_chain_progression: Array<{ phase: string; first_seen: string; rule: string; alert_id: string }>;
  timeline: Array<TimelineEntry & { seq: number }>;
  notifications: NotificationRecord[];
}

interface StageCounts {
  detections: number;
  alerts: number;
  incidents: number;
  notified: number;
  dropped: Record<string, number>;
}

export interface NoiseReport {
  from: string;
  to: string;
  totals: StageCounts & { events: number };
  /** Detections per incident (how many alerts one incident stands for). */
  compression_ratio: number | null;
  /** Share of detections that did not become an incident of their own (0-1). */
  reduction: number | null;
  by_rule: Array<StageCounts & { rule_id: string }>;
  by_source: Array<StageCounts & { source: string }>;
  by_service: Array<StageCounts & { service: string }>;
}

const emptyCounts = (): StageCounts => ({ detections: 0, alerts: 0, incidents: 0, notified: 0, dropped: {} });

/** Read side of triage: incident lists and pages, the noise ledger and response statistics. */
export class IncidentViews {
  constructor(
    private readonly store: Store,
    private readonly limits: SearchLimits,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list(params: SearchParams & { status?: string }): Promise<Page<Incident>> {
    const checked = checkSearchParams(params, this.limits, this.clock());
    const statuses = statusFilter(params.status);
    return this.store.searchIncidents({ query: checked.query, statuses, from: checked.from, to: checked.to, sort: params.sort ?? '-score', limit: checked.limit, cursor: checked.cursor });
  }

  async detail(id: string, incident: Incident | null): Promise<IncidentDetail | null> {
    if (!incident) return null;
    const [alerts, timeline, notifications] = await Promise.all([
      this.store.incidentAlerts(id, 1000),
      this.store.incidentTimeline(id, 5000),
      this.store.incidentNotifications(id),
    ]);
    const progression = new Map<string, IncidentDetail['kill_chain_progression'][number]>();
    for (const alert of alerts) {
      for (const phase of phasesOf(alert)) {
        const seen = progression.get(phase);
        if (!seen || alert.first_seen < seen.first_seen) progression.set(phase, { phase, first_seen: alert.first_seen, rule: alert.rule.title, alert_id: alert.id });
      }
    }
    const kill_chain_progression = KILL_CHAIN_PHASES.filter((p) => progression.has(p)).map((p) => progression.get(p)!);
    return { ...incident, alerts, kill_chain_progression, timeline: timeline.items, notifications };
  }

  timeline(id: string, limit: number, after?: number) {
    return this.store.incidentTimeline(id, limit, after);
  }

  private range(params: { from?: string; to?: string }, defaultDays: number): { from: number; to: number } {
    const now = this.clock();
    const to = timeParam(params.to, 'to', now, now.getTime());
    const from = timeParam(params.from, 'from', now, to - defaultDays * 86_400_000);
    if (from > to) throw badRequest('from: must not be after to', 'from');
    return { from, to };
  }

  /** The funnel per rule, source and service over [from, to) (event time, whole hours). */
  async noise(params: { from?: string; to?: string }): Promise<NoiseReport> {
    const { from, to } = this.range(params, 1);
    const hourFrom = Math.floor(from / 3_600_000) * 3_600_000;
    const rows = await this.store.ledger(hourFrom, to);
    const events = await this.store.count({ query: { type: 'all' }, from, to });
    const totals = emptyCounts();
    const groups = { rule: new Map<string, StageCounts>(), source: new Map<string, StageCounts>(), service: new Map<string, StageCounts>() };
    const add = (counts: StageCounts, row: (typeof rows)[number]) => {
      if (row.stage === 'dropped') counts.dropped[row.reason] = (counts.dropped[row.reason] ?? 0) + row.count;
      else counts[row.stage] += row.count;
    };
    for (const row of rows) {
      add(totals, row);
      for (const [kind, key] of [['rule', row.rule_id], ['source', row.source], ['service', row.service]] as const) {
        let counts = groups[kind].get(key);
        if (!counts) groups[kind].set(key, (counts = emptyCounts()));
        add(counts, row);
      }
    }
    const sorted = <K extends string>(map: Map<string, StageCounts>, name: K) =>
      [...map].map(([key, counts]) => ({ [name]: key, ...counts }) as StageCounts & Record<K, string>).sort((a, b) => b.detections - a.detections);
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      totals: { events, ...totals },
      compression_ratio: totals.incidents > 0 ? Math.round((totals.detections / totals.incidents) * 100) / 100 : null,
      reduction: totals.detections > 0 ? Math.round((1 - totals.incidents / totals.detections) * 10000) / 10000 : null,
      by_rule: sorted(groups.rule, 'rule_id'),
      by_source: sorted(groups.source, 'source'),
      by_service: sorted(groups.service, 'service'),
    };
  }

  async response(params: { from?: string; to?: string; period?: string }): Promise<ResponseStats> {
    const { from, to } = this.range(params, 30);
    const period = (params.period ?? 'day') as StatsPeriod;
    if (!['hour', 'day', 'week', 'month'].includes(period)) throw badRequest('period: expected hour, day, week or month', 'period');
    // A merged incident lives on in the one it was merged into: count it once.
    const incidents = (await this.store.incidentsDetectedBetween(from, to)).filter((i) => !i.merged_into);
    return responseStats(incidents, { from: new Date(from), to: new Date(to), period, now: this.clock() });
  }
}

/** `open` (the default), `all`, or a comma-separated list of states. */
function statusFilter(status: string | undefined): string[] {
  if (status === undefined || status === '' || status === 'open') return [...OPEN_STATUSES];
  if (status === 'all') return [];
  const statuses = status.split(',').map((s) => s.trim());
  for (const s of statuses) {
    if (!(INCIDENT_STATUSES as readonly string[]).includes(s)) throw badRequest(`status: '${s}' is not one of open, all, ${INCIDENT_STATUSES.join(', ')}`, 'status');
  }
  return statuses;
}
