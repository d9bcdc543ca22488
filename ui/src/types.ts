/** The API's shapes the UI reads (a subset of src/core; the UI talks only to the REST API). */
export interface ScorePart {
  factor: string;
  value: number;
  weight: number;
  points: number;
  reason: string;
}

export interface RelatedChange {
  id: string | null;
  title: string;
  verdict: string;
  score: number;
  reason: string;
}

export interface TimelineEntry {
  at: string;
  kind: string;
  actor: string;
  text: string;
  seq?: number;
}

export interface Incident {
  id: string;
  title: string;
  status: string;
  severity: string;
  priority: string;
  score: number;
  score_explanation: { score: number; priority: string; parts: ScorePart[]; summary: string };
  assignee: string | null;
  alert_count: number;
  occurrence_count: number;
  entities: { hosts: string[]; users: string[]; ips: string[] };
  services: string[];
  kill_chain: string[];
  tactics: string[];
  techniques: string[];
  rules: string[];
  first_seen: string;
  last_seen: string;
  first_evidence_at?: string;
  detected_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  sla: { ack_due: string | null; resolve_due: string | null; breached: boolean };
  related_changes: RelatedChange[];
  tasks: Array<{ id: string; title: string; status: string; assignee: string | null }>;
  observables: Array<{ type: string; value: string; ioc?: boolean; tags?: string[] }>;
  updated_at: string;
}

export interface Alert {
  id: string;
  fingerprint: string;
  source: string;
  rule: { id: string; title: string; level: string; tags: string[] };
  labels: Record<string, string>;
  entities: { hosts: string[]; users: string[]; ips: string[]; services: string[] };
  attack: { tactics: string[]; techniques: string[]; kill_chain_phase: string | null };
  event_ids: string[];
  first_seen: string;
  last_seen: string;
  count: number;
  status: string;
  suppressed_by: string | null;
  incident_id?: string | null;
  change_verdict?: string;
  indicator?: { confidence: number; value?: string; type?: string; source?: string };
}

export const OPEN_STATUSES = ['new', 'acknowledged', 'investigating', 'contained'];
