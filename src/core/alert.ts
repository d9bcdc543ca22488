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
}
