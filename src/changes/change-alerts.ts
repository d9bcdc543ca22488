import type { Change, IncomingAlert, ObservedChange } from '../core/index.ts';

/** The alerts an observed change raises: unrecorded, done outside its window, or in a freeze. */
export function alertsOfObservedChange(observed: ObservedChange, record: Change | null): IncomingAlert[] {
  const where = observed.asset ?? observed.service ?? 'unknown';
  const who = observed.actor ? ` by ${observed.actor}` : '';
  const base = {
    source: 'changes',
    labels: { queue: 'change-management', change_type: observed.type, observed_change: observed.id, ...(observed.actor ? { actor: observed.actor } : {}) },
    entities: { hosts: observed.asset ? [observed.asset] : [], users: observed.actor ? [observed.actor] : [], ips: [], services: observed.service ? [observed.service] : [] },
    attack: { tactics: [], techniques: [], kill_chain_phase: null },
    event_ids: Array.isArray(observed.evidence.event_ids) ? (observed.evidence.event_ids as string[]).slice(0, 100) : [],
    first_seen: observed.timestamp,
    last_seen: observed.timestamp,
    count: 1,
    status: 'firing' as const,
    annotations: { summary: observed.summary, source: observed.source },
  };
  const alerts: IncomingAlert[] = [];
  if (!record) {
    alerts.push({
      ...base,
      fingerprint: `change:unauthorised:${observed.id}`,
      rule: { id: 'vigil-unauthorised-change', title: `Unrecorded ${observed.type} change on ${where}`, level: 'high', tags: ['vigil.change.unauthorised'] },
      description: `No change record covers this ${observed.type} change on ${where} at ${observed.timestamp}${who}: ${observed.summary} (source ${observed.source}).`,
    });
  } else if (observed.outside_window) {
    alerts.push({
      ...base,
      fingerprint: `change:window:${observed.id}`,
      rule: { id: 'vigil-change-window-violation', title: `${record.id} carried out outside its window on ${where}`, level: 'high', tags: ['vigil.change.window-violation'] },
      description: `${record.id} (${record.title}) is planned for ${record.window.start} to ${record.window.end}; this ${observed.type} change on ${where} at ${observed.timestamp}${who} is outside it: ${observed.summary}.`,
    });
  }
  for (const violation of observed.violations) {
    alerts.push({
      ...base,
      labels: { ...base.labels, policy: violation.policy },
      fingerprint: `change:policy:${violation.policy}:${observed.id}`,
      rule: { id: 'vigil-change-policy-violation', title: `${observed.type} change on ${where} breaks ${violation.policy}`, level: 'high', tags: ['vigil.change.policy-violation'] },
      description: `${violation.message}. Evidence: ${observed.summary} at ${observed.timestamp}${who} (source ${observed.source}).`,
    });
  }
  return alerts;
}

