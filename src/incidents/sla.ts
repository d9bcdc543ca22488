import type { Incident, Priority, SlaState } from '../core/index.ts';

export interface SlaTarget {
  ack_minutes?: number | null;
  resolve_minutes?: number | null;
}

/** Targets per priority. Looser than the config's filled-in defaults so `triage.sla` can be passed as is; a missing target means none. */
export type SlaTargets = Partial<Record<Priority, SlaTarget | undefined>>;

export type SlaBreach = 'ack' | 'resolve';

const due = (detectedMs: number, minutes: number | null): string | null =>
  minutes === null ? null : new Date(detectedMs + minutes * 60_000).toISOString();

/** The SLA of a fresh incident: due times count from detection (wall clock), not from the first event. */
export function slaFor(priority: Priority, targets: SlaTargets, detectedAt: string): SlaState {
  const detectedMs = Date.parse(detectedAt);
  if (Number.isNaN(detectedMs)) throw new RangeError(`detected_at is not a timestamp: '${detectedAt}'`);
  const target = targets[priority];
  const ack = target?.ack_minutes ?? null;
  const resolve = target?.resolve_minutes ?? null;
  return { ack_minutes: ack, resolve_minutes: resolve, ack_due: due(detectedMs, ack), resolve_due: due(detectedMs, resolve), breached: false, breaches: [] };
}

/** Missed when still not done after the due time, or done after it (a late ack is a breach too). Exactly on time is not. */
function missed(dueAt: string | null, doneAt: string | null, nowMs: number): boolean {
  if (dueAt === null) return false;
  const dueMs = Date.parse(dueAt);
  return (doneAt === null ? nowMs : Date.parse(doneAt)) > dueMs;
}

/**
 * Checks the incident's SLA at `now`. Recorded breaches stay (a late ack does not undo the miss),
 * and each is reported in `newBreaches` only the first time, so the caller writes one timeline entry per miss.
 */
export function evaluateSla(incident: Incident, now: Date): { sla: SlaState; newBreaches: SlaBreach[] } {
  const { sla } = incident;
  const nowMs = now.getTime();
  const newBreaches: SlaBreach[] = [];
  if (!sla.breaches.includes('ack') && missed(sla.ack_due, incident.acknowledged_at, nowMs)) newBreaches.push('ack');
  if (!sla.breaches.includes('resolve') && missed(sla.resolve_due, incident.resolved_at, nowMs)) newBreaches.push('resolve');
  if (newBreaches.length === 0) return { sla, newBreaches };
  const breaches = [...sla.breaches, ...newBreaches];
  return { sla: { ...sla, breached: true, breaches }, newBreaches };
}

/**
 * Due times for the incident's current priority (call after the priority changed), still counted from detection.
 * Breaches already recorded are kept; run `evaluateSla` afterwards, as a tighter target may already be missed.
 */
export function repriceSla(incident: Incident, targets: SlaTargets): SlaState {
  const fresh = slaFor(incident.priority, targets, incident.detected_at);
  return { ...fresh, breached: incident.sla.breached || incident.sla.breaches.length > 0, breaches: [...incident.sla.breaches] };
}
