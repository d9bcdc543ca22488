import type { Priority } from './incident.ts';

/**
 * Notifications (DESIGN.md section 6, `src/notify`): what happened to an incident, as every channel
 * renders it, and the delivery record the outbox keeps for it.
 */
export const NOTIFY_EVENTS = ['opened', 'updated', 'escalated', 'state_changed', 'resolved', 'repeat'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** The incident as a message shows it. */
export interface NotifyIncident {
  id: string;
  title: string;
  status: string;
  priority: Priority;
  severity: string;
  score: number;
  /** The score explanation's summary: why it is this urgent. */
  summary: string;
  assignee: string | null;
  services: string[];
  hosts: string[];
  users: string[];
  alert_count: number;
  kill_chain: string[];
  /** The most likely related change, if any. */
  change: { id: string | null; verdict: string; reason: string } | null;
  detected_at: string;
  /** Where to open it in Vigil's UI (absolute when `server.public_url` is set). */
  url: string;
}

/** One message to one channel. `key` stays the same across every retry of it (idempotency). */
export interface NotifyMessage {
  key: string;
  event: NotifyEvent | 'test' | 'digest';
  /** One line: what happened. */
  text: string;
  incident: NotifyIncident | null;
  /** For a digest: the notifications folded into it by a rate limit. */
  digest?: Array<{ incident_id: string; title: string; priority: Priority; event: string; at: string }>;
  at: string;
}

/** Where a channel keeps an incident's message so later ones update it (Slack ts, Jira key, ServiceNow sys_id). */
export type ThreadRef = Record<string, string>;

/**
 * pending: due at next_attempt_at (an attempt cut short by a crash stays pending); held: waiting
 * for quiet hours to end; sent; failed: given up; folded: over the rate limit, part of a digest;
 * digested: its digest went out; cancelled: an escalation no longer needed (someone acknowledged).
 */
export type DeliveryStatus = 'pending' | 'held' | 'sent' | 'failed' | 'folded' | 'digested' | 'cancelled';

/** The outbox row of one message to one channel. */
export interface Delivery {
  id: string;
  channel: string;
  policy: string | null;
  incident_id: string | null;
  event: NotifyMessage['event'];
  priority: string | null;
  /** Sent only if this still holds when due (escalations: nobody acknowledged yet). */
  condition?: 'unacknowledged';
  /** For a folded message: the digest delivery that carries it. */
  digest_id?: string;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt may go (ISO): backoff, Retry-After, quiet hours, a digest window. */
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  message: NotifyMessage;
}
