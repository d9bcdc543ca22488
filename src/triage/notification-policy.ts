import { priorityRank, type Incident, type NotificationRecord, type Priority } from '../core/index.ts';

/** Half as many alerts again is news; one more host in a fleet-wide incident is not. */
const GROWTH_WORTH_NOTIFYING = 1.5;

/**
 * What a due notification should say, if anything: `opened` the first time, `resolved` when
 * nothing fires any more, `updated` for a material change (a higher priority, a new kill-chain
 * phase, back from resolved, or half as many alerts again), `repeat` when an unacknowledged
 * incident has waited repeat_interval; null when there is nothing to tell. `hash` is what the
 * next decision compares against.
 */
export function notificationReason(
  incident: Pick<Incident, 'priority' | 'alert_count' | 'status' | 'grouping'>,
  phases: string[],
  firing: number,
  at: number,
): { reason: NotificationRecord['reason'] | null; hash: string } {
  const grouping = incident.grouping;
  const hash = `${incident.priority}|${phases.join(',')}|${firing > 0 ? 'firing' : 'resolved'}`;
  let reason: NotificationRecord['reason'] | null;
  if (grouping.last_notified_at === null) reason = firing > 0 ? 'opened' : null;
  else if (firing === 0) reason = grouping.notified_hash?.endsWith('|resolved') ? null : 'resolved';
  else if (materialChange(grouping.notified_hash, incident.priority, phases, incident.alert_count, grouping.notified_alerts)) reason = 'updated';
  else reason = incident.status === 'new' && at >= grouping.last_notified_at + grouping.repeat_interval_ms ? 'repeat' : null;
  return { reason, hash };
}

function materialChange(notified: string | null, priority: Priority, phases: string[], alerts: number, notifiedAlerts: number): boolean {
  if (!notified) return true;
  const [oldPriority, oldPhases, oldState] = notified.split('|');
  if (oldState === 'resolved') return true;
  if (priorityRank(priority) < priorityRank((oldPriority ?? 'P5') as Priority)) return true;
  const seen = new Set((oldPhases ?? '').split(',').filter(Boolean));
  if (phases.some((p) => !seen.has(p))) return true;
  return alerts >= Math.ceil(notifiedAlerts * GROWTH_WORTH_NOTIFYING);
}
