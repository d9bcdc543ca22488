/** Change management (DESIGN.md sections 3 and 7): planned changes, freeze policies, observed changes. */
export const CHANGE_TYPES = ['firewall', 'network', 'deploy', 'config', 'database', 'access', 'other'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export const CHANGE_STATUSES = ['draft', 'requested', 'approved', 'in_progress', 'completed', 'failed', 'rolled_back', 'cancelled'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

export type ChangeRisk = 'low' | 'medium' | 'high' | 'critical';

export interface ChangeApproval {
  /** The approver's identity (the caller's token name). */
  by: string;
  at: string;
  comment?: string;
}

/** A policy finding on a change: which policy, what it does, and the part of the window it concerns. */
export interface PolicyFinding {
  policy: string;
  action: FreezeAction;
  /** Parts of the change window the policy objects to (ISO, UTC). */
  overlap: Array<{ start: string; end: string }>;
  message: string;
}

export interface ChangeConflict {
  /** The other change. */
  change_id: string;
  /** Where they meet: a shared asset or service, or one the other depends on. */
  on: string;
  reason: string;
  overlap: { start: string; end: string };
}

export interface Change {
  /** CHG-n. */
  id: string;
  title: string;
  description: string;
  type: ChangeType;
  risk: ChangeRisk;
  assets: string[];
  services: string[];
  /** Planned window (ISO with offset as given; compared as instants). */
  window: { start: string; end: string };
  implementer: string | null;
  requester: string | null;
  backout_plan: string;
  emergency: boolean;
  links: Array<{ href: string; text?: string }>;
  status: ChangeStatus;
  approvals: ChangeApproval[];
  /** Approvals required before it may be approved (policies can raise it). */
  approvals_required: number;
  warnings: PolicyFinding[];
  conflicts: ChangeConflict[];
  /** When it actually started and ended (from start/complete/fail/rollback). */
  started_at: string | null;
  ended_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export type FreezeAction = 'block' | 'require_approval' | 'warn';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** A time range on given weekdays, local to the policy's time zone ("08:00" to "18:00"; "to" may be "24:00"). */
export interface WeeklyRange {
  days: Weekday[];
  from: string;
  to: string;
}

/**
 * A freeze policy: changes in scope may only happen inside `allowed` (when given) and never inside
 * `blocked`; outside that, `action` applies. Emergency changes may pass with enough approvals.
 */
export interface FreezePolicy {
  name: string;
  description?: string;
  scope: {
    types?: ChangeType[];
    /** Assets carrying one of these tags. */
    asset_tags?: string[];
    /** Services of one of these tiers (assets' services count). */
    service_tiers?: number[];
  };
  /** IANA time zone the schedule is written in, e.g. Europe/London. */
  timezone: string;
  /** When changes are allowed (weekly ranges); absent means always, except `blocked`. */
  allowed?: WeeklyRange[];
  /** When changes are never allowed: weekly ranges, or date ranges (local dates, inclusive) with optional yearly recurrence. */
  blocked?: Array<WeeklyRange | { dates: { from: string; to: string }; every_year?: boolean; label?: string }>;
  action: FreezeAction;
  /** Emergency changes pass this policy with this many distinct approvals (absent: emergencies are held like others). */
  emergency?: { approvals: number };
  /** Where it came from: vigil.yaml or the API. */
  origin?: 'config' | 'api';
  created_at?: string;
  updated_at?: string;
}

/** Evidence that something changed (an API call, a deploy webhook, a log line). */
export interface ObservedChange {
  id: string;
  source: string;
  type: ChangeType;
  asset: string | null;
  service: string | null;
  actor: string | null;
  /** Event time (ISO). */
  timestamp: string;
  summary: string;
  /** The change record it belongs to, or null (unauthorised). */
  matched_change: string | null;
  /** Matched to a record, but done outside the record's window (plus the margin). */
  outside_window?: boolean;
  /** Freeze policies it broke. */
  violations: PolicyFinding[];
  /** Where it came from: event ids, a webhook delivery id... */
  evidence: Record<string, unknown>;
  received_at: string;
}

/** What a change has to do with an alert. */
export type ChangeVerdictKind = 'expected-change' | 'unauthorised-change' | 'window-violation' | 'no-change';

/** A change (recorded, or observed without a record: id null) that may explain an alert or an incident. */
export interface RelatedChange {
  /** CHG-n, or null for a change nobody recorded. */
  id: string | null;
  title: string;
  verdict: Exclude<ChangeVerdictKind, 'no-change'>;
  /** 0-1: closer in time and in the topology scores higher. */
  score: number;
  /** Why, naming the asset or service, the time and the actor. */
  reason: string;
  /** Who carries the change out (recorded changes). */
  implementer?: string | null;
}

export interface ChangeVerdict {
  verdict: ChangeVerdictKind;
  related: RelatedChange[];
}

const VERDICT_RANK: Record<RelatedChange['verdict'], number> = { 'unauthorised-change': 0, 'window-violation': 1, 'expected-change': 2 };

/** Most likely first: higher score; on a tie, a violation or an unrecorded change before the approved change it happened under. */
export const compareRelatedChanges = (a: Pick<RelatedChange, 'score' | 'verdict'>, b: Pick<RelatedChange, 'score' | 'verdict'>): number => b.score - a.score || VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict];
