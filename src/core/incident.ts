import type { AlertLevel } from './alert.ts';
import type { RelatedChange } from './change.ts';

/** Incident states, in the order an incident normally goes through them. */
export const INCIDENT_STATUSES = ['new', 'acknowledged', 'investigating', 'contained', 'resolved', 'closed', 'false_positive'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** States that count as open (still someone's work). */
export const OPEN_STATUSES: readonly IncidentStatus[] = ['new', 'acknowledged', 'investigating', 'contained'];

export const isOpenStatus = (status: IncidentStatus): boolean => OPEN_STATUSES.includes(status);

/** States an incident's work is over in (resolved, closed, or dismissed as a false positive). */
export const isClosedStatus = (status: string): boolean => status === 'resolved' || status === 'closed' || status === 'false_positive';

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** 1 for P1 (most urgent) to 5 for P5. */
export const priorityRank = (p: Priority): number => Number(p.slice(1));

/** The parts of the priority score; config weights each. */
export const SCORE_FACTORS = ['rule_level', 'asset_criticality', 'service_tier', 'kill_chain', 'indicator_confidence', 'rarity'] as const;
export type ScoreFactor = (typeof SCORE_FACTORS)[number];

export interface ScorePart {
  factor: ScoreFactor;
  /** The factor's strength, 0 to 1. */
  value: number;
  weight: number;
  /** What the factor adds to the 0-100 score: value × weight × 100 / (sum of the weights). */
  points: number;
  /** Why, in words an analyst reads ("asset db-1 has criticality 5"). */
  reason: string;
}

export interface ScoreExplanation {
  score: number;
  priority: Priority;
  parts: ScorePart[];
  /** One line: the biggest contributions first. */
  summary: string;
}

export interface IncidentEntities {
  hosts: string[];
  users: string[];
  ips: string[];
}

export interface IncidentTask {
  id: string;
  title: string;
  status: 'open' | 'done';
  assignee: string | null;
  created_at: string;
  created_by: string;
  done_at: string | null;
}

export interface Observable {
  type: 'ip' | 'domain' | 'url' | 'hash' | 'email' | 'user' | 'host' | 'filename' | 'other';
  value: string;
  ioc: boolean;
  tags: string[];
  added_by: string;
  added_at: string;
}

export interface SlaState {
  /** Targets for this priority, minutes (null: none set). */
  ack_minutes: number | null;
  resolve_minutes: number | null;
  ack_due: string | null;
  resolve_due: string | null;
  /** True once a target was missed (kept after the late ack or resolution). */
  breached: boolean;
  breaches: Array<'ack' | 'resolve'>;
}

/** How triage grouped the incident and where its notifications stand (event time, ms). */
export interface IncidentGrouping {
  route: string;
  /** The route's group key; null when the incident was opened by entity correlation alone. */
  key: string | null;
  labels: Record<string, string>;
  /** Event time of the latest alert that joined or repeated. */
  last_alert_at: number;
  /** The route's timers (ms), kept so the incident notifies the same way after a restart. */
  group_wait_ms: number;
  group_interval_ms: number;
  repeat_interval_ms: number;
  group_window_ms: number;
  /** Notification state: the next one due, the last sent, and what it covered. */
  notify_due_at: number | null;
  last_notified_at: number | null;
  notified_alerts: number;
  notified_hash: string | null;
}

export interface Incident {
  /** INC-n. */
  id: string;
  title: string;
  status: IncidentStatus;
  severity: AlertLevel;
  /** 'alerts' while it follows its alerts' highest level; 'analyst' once a person set it. */
  severity_source: 'alerts' | 'analyst';
  score: number;
  priority: Priority;
  score_explanation: ScoreExplanation;
  assignee: string | null;
  /** Distinct alerts (after dedup). */
  alert_count: number;
  /** Occurrences across its alerts (before dedup). */
  occurrence_count: number;
  entities: IncidentEntities;
  services: string[];
  /** Kill-chain phases seen in its alerts, in kill-chain order. */
  kill_chain: string[];
  tactics: string[];
  techniques: string[];
  rules: string[];
  sources: string[];
  /** Event time of the first and latest alert detected as it happened (ISO). */
  first_seen: string;
  /**
   * Event time of the earliest evidence known, including what a retro-hunt found later in
   * stored events: dwell time runs from here to detected_at.
   */
  first_evidence_at?: string;
  last_seen: string;
  /** When Vigil opened it (wall clock of the first alert's detection). */
  detected_at: string;
  acknowledged_at: string | null;
  contained_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  sla: SlaState;
  tasks: IncidentTask[];
  observables: Observable[];
  /** Set when merged into another incident. */
  merged_into: string | null;
  /** Held notifications: an alert in it flaps. */
  flapping: boolean;
  /** 'system' while triage names it from its alerts; 'analyst' once a person renamed it. */
  title_source: 'system' | 'analyst';
  /** Changes that may explain it, most likely first. */
  related_changes: RelatedChange[];
  grouping: IncidentGrouping;
  created_at: string;
  updated_at: string;
}

export type TimelineKind =
  | 'opened'
  | 'alert_joined'
  | 'alert_resolved'
  | 'notification_failed'
  | 'priority_changed'
  | 'state_changed'
  | 'assigned'
  | 'severity_changed'
  | 'note'
  | 'task'
  | 'observable'
  | 'notification'
  | 'merged'
  | 'split'
  | 'sla_breached'
  | 'flapping'
  | 'related_change'
  | 'updated';

export interface TimelineEntry {
  incident_id: string;
  /** Wall-clock time of the entry (ISO). */
  at: string;
  /** Event time it refers to, when it comes from alerts (ISO). */
  event_time?: string;
  kind: TimelineKind;
  /** 'system' or the person (token name) who did it. */
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}

/** A notification decision: triage says who should hear of what; delivery is the notify stage's. */
export interface NotificationRecord {
  id: string;
  incident_id: string;
  /**
   * opened, updated (new alerts after group_interval), repeat (repeat_interval), resolved (all
   * alerts resolved), state_changed (a person or a tool moved the incident).
   */
  reason: 'opened' | 'updated' | 'repeat' | 'resolved' | 'state_changed';
  /** Event time it became due (ISO). */
  due_at: string;
  created_at: string;
  priority: Priority;
  alert_count: number;
  route: string;
}
