import type { ChangeVerdictKind, RelatedChange } from './change.ts';

/**
 * An alert: a detection (Sigma, correlation, later intel and analytics) or an external alert,
 * as DESIGN.md section 3 describes it. Triage (dedup, grouping, suppression) builds on it.
 */
export type AlertLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export interface AlertEntities {
  hosts: string[];
  users: string[];
  ips: string[];
  services: string[];
}

export interface AttackContext {
  tactics: string[];
  techniques: string[];
  /** Lockheed Martin cyber kill chain phase of the latest tactic, or null. */
  kill_chain_phase: string | null;
}

export interface Alert {
  /** ULID. */
  id: string;
  /** Identity for deduplication: same fingerprint, same alert. */
  fingerprint: string;
  /** Which detector produced it: sigma, correlation, or an integration name. */
  source: string;
  rule: { id: string; title: string; level: AlertLevel; tags: string[] };
  description?: string;
  labels: Record<string, string>;
  entities: AlertEntities;
  attack: AttackContext;
  /** Events that caused it (ids). */
  event_ids: string[];
  /** Event time of the first and last contributing events (ISO 8601 UTC). */
  first_seen: string;
  last_seen: string;
  count: number;
  status: 'firing' | 'resolved';
  /** Why it was suppressed (silence, inhibition, dedup...), or null. */
  suppressed_by: string | null;
  /** When Vigil created it. */
  created_at: string;
  /** For correlation alerts: the group and the window. */
  correlation?: { type: string; group: Record<string, unknown>; window: { start: string; end: string }; value: number };
  /** The incident triage put it in (null while suppressed, or before triage). */
  incident_id?: string | null;
  /** Set by triage: the alert toggles firing/resolved too often; its notifications are held. */
  flapping?: boolean;
  /** Event time it resolved (ISO), when status is resolved. */
  resolved_at?: string | null;
  /** Free-form details from the sender (Alertmanager annotations, PagerDuty custom_details...). */
  annotations?: Record<string, string>;
  /** Where to see the alert at its source (Alertmanager generatorURL, PagerDuty links). */
  links?: Array<{ href: string; text?: string }>;
  /** For threat-intel matches: the indicator's confidence (0-100), used in the priority score. */
  indicator?: { confidence: number; value?: string; type?: string; source?: string };
  /** Watchlists holding one of its entities (set by triage; also its `watchlist` label, comma-joined). */
  watchlists?: string[];
  /** Found by this retro-hunt in stored events, after the fact (its time is not when it was detected). */
  retro_hunt?: string;
  /** What a change has to do with it (set by triage from change management). */
  change_verdict?: ChangeVerdictKind;
  related_changes?: RelatedChange[];
}

/** Alert levels in order of urgency, lowest first. */
export const ALERT_LEVELS: readonly AlertLevel[] = ['informational', 'low', 'medium', 'high', 'critical'];

/**
 * An alert as a detector or an integration hands it to triage, before triage gives it an id, an
 * incident and its verdicts: the fingerprint decides whether it is new or a repeat. Its times and
 * count are those of the occurrences this report covers; `resolved_at` defaults to `last_seen`.
 */
export type IncomingAlert = Omit<Alert, 'id' | 'suppressed_by' | 'created_at' | 'incident_id' | 'flapping' | 'change_verdict' | 'related_changes'> & {
  /** An integration's acknowledgement (PagerDuty `acknowledge`): acknowledges the alert's incident. */
  acknowledge?: boolean;
};
