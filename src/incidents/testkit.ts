/** Test support: a whole Incident with plain defaults, for tests of the incident stage (not shipped behaviour). */
import type { Incident, Priority, SlaState } from '../core/index.ts';

export const INCIDENT_T0 = '2024-03-04T10:00:00.000Z';

/**
 * An incident detected at `overrides.detected_at` (default INCIDENT_T0), first and last seen then;
 * `base` gives the defaults a test file wants for priority, score and SLA.
 */
export function makeIncident(overrides: Partial<Incident> = {}, base: { priority?: Priority; score?: number; sla?: SlaState } = {}): Incident {
  const at = overrides.detected_at ?? INCIDENT_T0;
  const priority = overrides.priority ?? base.priority ?? 'P2';
  const score = base.score ?? 50;
  return {
    id: 'INC-1',
    title: 'Brute force on db-1',
    status: 'new',
    severity: 'high',
    severity_source: 'alerts',
    score,
    priority,
    score_explanation: { score, priority, parts: [], summary: '' },
    assignee: null,
    alert_count: 1,
    occurrence_count: 1,
    entities: { hosts: ['db-1'], users: [], ips: [] },
    services: [],
    kill_chain: [],
    tactics: [],
    techniques: [],
    rules: ['r1'],
    sources: ['sigma'],
    first_seen: at,
    last_seen: at,
    detected_at: at,
    acknowledged_at: null,
    contained_at: null,
    resolved_at: null,
    closed_at: null,
    sla: base.sla ?? { ack_minutes: 30, resolve_minutes: 480, ack_due: null, resolve_due: null, breached: false, breaches: [] },
    tasks: [],
    observables: [],
    merged_into: null,
    flapping: false,
    title_source: 'system',
    related_changes: [],
    grouping: {
      route: 'root',
      key: null,
      labels: {},
      last_alert_at: 0,
      group_wait_ms: 30_000,
      group_interval_ms: 300_000,
      repeat_interval_ms: 14_400_000,
      group_window_ms: 14_400_000,
      notify_due_at: null,
      last_notified_at: null,
      notified_alerts: 0,
      notified_hash: null,
    },
    created_at: at,
    updated_at: at,
    ...overrides,
  };
}
