/**
 * Inbound Jira Cloud: issue webhooks, so closing the Jira issue Vigil opened for an incident
 * resolves the incident. The caller maps the issue key back to the incident (it stored the key
 * when it created the issue).
 *
 * Pure functions: the API route hands over the raw body and the header, and performs the action.
 *
 * Formats (Atlassian's "Jira Cloud platform: Webhooks"):
 * - Admin webhooks registered with a secret are signed: `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`
 *   (the WebSub `method=signature` form). Webhooks registered by Connect or OAuth apps are not
 *   signed this way (they carry a JWT instead) and are rejected here.
 * - The body: `{ timestamp, webhookEvent: "jira:issue_updated", issue_event_type_name, user,
 *   issue: { id, key, fields: { status: { name, statusCategory: { key } }, labels, ... } },
 *   changelog: { id, items: [{ field, fieldtype, fieldId, from, fromString, to, toString }] } }`.
 *   Status categories are `new` (To Do), `indeterminate` (In Progress) and `done`.
 */
import { hmacSha256Matches, isPlainObject, nonBlank } from '../../../lib/index.ts';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

const SIGNATURE = /^sha256=([0-9a-fA-F]+)$/i;
const SHA256_HEX_LENGTH = 64;

/** Checks `X-Hub-Signature` against the raw body (the bytes Jira sent, before JSON parsing). */
export function verifyJiraSignature(secret: string, header: string | undefined, rawBody: string | Buffer): VerifyResult {
  // An empty secret would let anyone compute a valid signature.
  if (!secret) return { ok: false, reason: 'no webhook secret configured' };
  if (typeof header !== 'string' || header.trim() === '') return { ok: false, reason: 'missing X-Hub-Signature header' };
  const m = SIGNATURE.exec(header.trim());
  // Exactly 64 digits: Node's hex decoder silently drops an odd trailing nibble.
  if (!m || m[1]!.length !== SHA256_HEX_LENGTH) return { ok: false, reason: 'malformed X-Hub-Signature header: expected sha256=<64 hex digits>' };
  return hmacSha256Matches(secret, [rawBody], m[1]!) ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

/** Jira's status categories; `undefined` is what Jira reports for a status without one. */
export type JiraStatusCategory = 'new' | 'indeterminate' | 'done' | 'undefined' | (string & {});

export interface JiraWebhook {
  ok: true;
  /** e.g. `jira:issue_updated`. */
  webhookEvent: string;
  /** Epoch milliseconds, when Jira sent one. */
  timestamp: number | null;
  issueKey: string;
  statusName: string;
  statusCategory: JiraStatusCategory;
  /** The changelog has a status item: this event is a transition. */
  changedStatus: boolean;
  /** The status names of the transition, when changedStatus. */
  fromStatus: string | null;
  toStatus: string | null;
  /** `user.displayName` (else accountId) of whoever made the change; null for automation without one. */
  actor: string | null;
  labels: string[];
}

export interface JiraParseError {
  ok: false;
  error: string;
}


/** The parts of an issue webhook Vigil acts on. */
export function parseJiraWebhook(body: unknown): JiraWebhook | JiraParseError {
  if (!isPlainObject(body)) return { ok: false, error: 'body: required, an object' };
  const webhookEvent = nonBlank(body.webhookEvent);
  if (!webhookEvent) return { ok: false, error: 'webhookEvent: required, a non-empty string' };
  const issue = body.issue;
  if (!isPlainObject(issue)) return { ok: false, error: 'issue: required, an object' };
  const issueKey = nonBlank(issue.key);
  if (!issueKey) return { ok: false, error: 'issue.key: required, a non-empty string' };
  const fields = isPlainObject(issue.fields) ? issue.fields : null;
  const status = fields && isPlainObject(fields.status) ? fields.status : null;
  if (!status) return { ok: false, error: 'issue.fields.status: required, an object' };
  const statusName = nonBlank(status.name);
  if (!statusName) return { ok: false, error: 'issue.fields.status.name: required, a non-empty string' };
  const statusCategory = isPlainObject(status.statusCategory) ? nonBlank(status.statusCategory.key) : null;
  if (!statusCategory) return { ok: false, error: 'issue.fields.status.statusCategory.key: required, a non-empty string' };

  const items = isPlainObject(body.changelog) && Array.isArray(body.changelog.items) ? body.changelog.items : [];
  const statusItem = items.find((i): i is Record<string, unknown> => isPlainObject(i) && (i.field === 'status' || i.fieldId === 'status'));
  const user = isPlainObject(body.user) ? body.user : null;
  const labels = fields && Array.isArray(fields.labels) ? fields.labels.filter((l): l is string => typeof l === 'string') : [];
  return {
    ok: true,
    webhookEvent,
    timestamp: typeof body.timestamp === 'number' && Number.isFinite(body.timestamp) ? body.timestamp : null,
    issueKey,
    statusName,
    statusCategory,
    changedStatus: statusItem !== undefined,
    fromStatus: statusItem ? nonBlank(statusItem.fromString) : null,
    toStatus: statusItem ? nonBlank(statusItem.toString) : null,
    actor: user ? (nonBlank(user.displayName) ?? nonBlank(user.accountId)) : null,
    labels,
  };
}

export type JiraVigilAction = { action: 'resolve' } | { action: 'ignore'; reason: string };

/**
 * Resolve when an update moved the issue's status into the `done` category; ignore everything
 * else (other events, edits that are not transitions, transitions to To Do / In Progress).
 * Reopening the issue does not reopen the incident. A move between two done statuses resolves
 * again, so the caller treats a resolve of a resolved incident as a no-op.
 */
export function toVigilAction(parsed: JiraWebhook): JiraVigilAction {
  if (parsed.webhookEvent !== 'jira:issue_updated') return { action: 'ignore', reason: `event ${parsed.webhookEvent} is not acted on` };
  if (!parsed.changedStatus) return { action: 'ignore', reason: 'the status did not change' };
  if (parsed.statusCategory !== 'done') {
    return { action: 'ignore', reason: `status "${parsed.statusName}" is in category ${parsed.statusCategory}, not done` };
  }
  return { action: 'resolve' };
}
