/**
 * Inbound PagerDuty: V3 webhooks (generic webhook subscriptions), so an acknowledge or resolve in
 * PagerDuty reaches the Vigil incident it was paged for.
 *
 * Pure functions: the API route hands over the raw body and the header, and performs the action.
 *
 * Formats (PagerDuty developer docs, "Webhooks v3 Overview" and "Verifying Signatures"):
 * - `X-PagerDuty-Signature` holds one or more comma-separated `v1=<hex HMAC-SHA256(secret, raw body)>`
 *   (several during a secret rotation); the delivery is authentic when any of them matches.
 * - The body is `{ event: { id, event_type, resource_type, occurred_at, agent, client, data } }`.
 *   For incident events `data` is the incident (`type: "incident"`, `id`, `number`, `status`,
 *   `incident_key`, ...). `incident.annotated` carries an `incident_note`, and the responder and
 *   status-update events their own objects, each with a reference under `data.incident` (id only,
 *   no incident key).
 * - Vigil triggers through the Events API v2 with `dedup_key` = its incident id (INC-n); PagerDuty
 *   exposes the dedup key of the alert that opened the incident as the incident's `incident_key`.
 *   `dedup_key` is accepted too, should a payload ever carry it under that name.
 */
import { hmacSha256Matches, isPlainObject, nonBlank } from '../../../lib/index.ts';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** Checks `X-PagerDuty-Signature` against the raw body (the bytes PagerDuty sent, before JSON parsing). */
export function verifyPagerDutySignature(secret: string, header: string | undefined, rawBody: string | Buffer): VerifyResult {
  // An empty secret would let anyone compute a valid signature.
  if (!secret) return { ok: false, reason: 'no webhook secret configured' };
  if (typeof header !== 'string' || header.trim() === '') return { ok: false, reason: 'missing X-PagerDuty-Signature header' };
  const candidates = header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .map((s) => s.slice(3))
    .filter((hex) => SHA256_HEX.test(hex));
  if (candidates.length === 0) return { ok: false, reason: 'malformed X-PagerDuty-Signature header: no v1=<64 hex digits> signature' };
  // Compare every candidate, so the time taken does not tell which one matched.
  const matched = candidates.map((hex) => hmacSha256Matches(secret, [rawBody], hex)).includes(true);
  return matched ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

export type PagerDutyEventType =
  | 'incident.acknowledged'
  | 'incident.annotated'
  | 'incident.delegated'
  | 'incident.escalated'
  | 'incident.priority_updated'
  | 'incident.reassigned'
  | 'incident.reopened'
  | 'incident.resolved'
  | 'incident.responder.added'
  | 'incident.responder.replied'
  | 'incident.status_update_published'
  | 'incident.triggered'
  | 'incident.unacknowledged'
  | (string & {});

export interface PagerDutyWebhook {
  ok: true;
  /** The outbound event's id (for de-duplicating redeliveries). */
  eventId: string;
  eventType: PagerDutyEventType;
  /** ISO 8601, as PagerDuty sent it. */
  occurredAt: string;
  /** Who did it: `event.agent.summary` (a user's name, a service's name), or null. */
  agent: string | null;
  /** `event.agent.type`, e.g. `user_reference`, `service_reference`; null when there is no agent. */
  agentType: string | null;
  /** The incident's `incident_key` (the dedup key Vigil sent), or null when the event carries none. */
  incidentKey: string | null;
  /** PagerDuty's own incident id (P…), or null for events that are not about an incident. */
  pagerdutyIncidentId: string | null;
}

export interface PagerDutyParseError {
  ok: false;
  error: string;
}


/** The parts of a V3 webhook body Vigil acts on. */
export function parsePagerDutyWebhook(body: unknown): PagerDutyWebhook | PagerDutyParseError {
  if (!isPlainObject(body) || !isPlainObject(body.event)) return { ok: false, error: 'event: required, an object' };
  const event = body.event;
  const eventId = nonBlank(event.id);
  if (!eventId) return { ok: false, error: 'event.id: required, a non-empty string' };
  const eventType = nonBlank(event.event_type);
  if (!eventType) return { ok: false, error: 'event.event_type: required, a non-empty string' };
  const occurredAt = nonBlank(event.occurred_at);
  if (!occurredAt || Number.isNaN(Date.parse(occurredAt))) return { ok: false, error: 'event.occurred_at: required, an ISO 8601 date-time' };
  if (!isPlainObject(event.data)) return { ok: false, error: 'event.data: required, an object' };
  const data = event.data;
  const agent = isPlainObject(event.agent) ? event.agent : null;

  let incidentKey: string | null = null;
  let pagerdutyIncidentId: string | null = null;
  if (data.type === 'incident') {
    pagerdutyIncidentId = nonBlank(data.id);
    incidentKey = nonBlank(data.incident_key) ?? nonBlank(data.dedup_key);
  } else if (isPlainObject(data.incident)) {
    // incident_note, incident_responder, incident_status_update: a reference, without the key.
    pagerdutyIncidentId = nonBlank(data.incident.id);
    incidentKey = nonBlank(data.incident.incident_key) ?? nonBlank(data.incident.dedup_key);
  }
  return {
    ok: true,
    eventId,
    eventType,
    occurredAt,
    agent: agent ? nonBlank(agent.summary) : null,
    agentType: agent ? nonBlank(agent.type) : null,
    incidentKey,
    pagerdutyIncidentId,
  };
}

export type PagerDutyVigilAction =
  | { action: 'ack' | 'resolve'; incident: string }
  /** `incident` is the Vigil incident when the key named one; `reason` says why nothing is done. */
  | { action: 'ignore'; incident: string | null; reason: string };

const INCIDENT_ID = /^INC-(\d{1,15})$/i;

/** "inc-007" → "INC-7"; null unless a positive INC-number. */
function vigilIncident(key: string | null): string | null {
  const m = key ? INCIDENT_ID.exec(key.trim()) : null;
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? `INC-${n}` : null;
}

/**
 * `incident.acknowledged` → ack and `incident.resolved` → resolve, for incidents Vigil paged
 * (incident key INC-n); everything else is ignored. Vigil's own acknowledge/resolve comes back
 * as the same events, so the caller must treat an ack of an acknowledged (or a resolve of a
 * resolved) incident as a no-op.
 */
export function toVigilAction(parsed: PagerDutyWebhook): PagerDutyVigilAction {
  const incident = vigilIncident(parsed.incidentKey);
  const action = parsed.eventType === 'incident.acknowledged' ? 'ack' : parsed.eventType === 'incident.resolved' ? 'resolve' : null;
  if (!action) return { action: 'ignore', incident, reason: `event type ${parsed.eventType} is not acted on` };
  if (!incident) {
    const key = parsed.incidentKey === null ? 'no incident key' : `incident key "${parsed.incidentKey}" is not a Vigil incident id`;
    return { action: 'ignore', incident: null, reason: key };
  }
  return { action, incident };
}
