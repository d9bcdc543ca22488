/**
 * Observed changes pushed to Vigil: our own `POST /api/v1/change-events`, and PagerDuty's Change
 * Events API (`POST /v2/change/enqueue`) so CI tools already reporting deploys to PagerDuty can point
 * at Vigil unchanged. Pure: the caller stores, matches and judges the result.
 */
import { CHANGE_TYPES, type Alert, type ChangeType, type ObservedChange, VigilError } from '../core/index.ts';
import { isObject, isoOf, parseZonedTimestamp, type JsonObject } from '../triage/index.ts';

/** What a sender describes; the server adds the id, the match, the violations and the receipt time. */
export type ObservedChangeInput = Omit<ObservedChange, 'id' | 'matched_change' | 'violations' | 'received_at'>;

/** Most change events one request may carry (same cap as alerts). */
export const MAX_CHANGE_EVENTS = 10_000;
/** PagerDuty's limit on `payload.summary`; ours too, so one summary fits both. */
export const MAX_SUMMARY = 1024;

const FIELDS = new Set(['asset', 'service', 'type', 'actor', 'timestamp', 'summary', 'source', 'evidence']);
// Same names the inventory accepts, so assets and services can be looked up there.
const NAME = /^[\w.@:/-]{1,128}$/;
const SOURCE = /^[\w.@:/-]{1,64}$/;
const NAIVE_ISO = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?$/;

const isChangeType = (v: unknown): v is ChangeType => typeof v === 'string' && (CHANGE_TYPES as readonly string[]).includes(v);
const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

const invalid = (field: string, reason: string) => new VigilError('invalid_change_event', `${field}: ${reason}`, 400, field);

/** `[3].summary` in a batch, `summary` for a single object (as the alert intake does). */
const at = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/**
 * One change event or an array of them (at most 10,000). Throws a VigilError (400,
 * `invalid_change_event`, `field` = path of the first problem, e.g. `[2].timestamp`).
 */
export function parseChangeEvents(body: unknown, now: Date): ObservedChangeInput[] {
  if (Array.isArray(body)) {
    if (body.length > MAX_CHANGE_EVENTS) throw invalid('body', `at most ${MAX_CHANGE_EVENTS} change events per request, got ${body.length}`);
    return body.map((item, i) => parseOne(item, `[${i}]`, now));
  }
  return [parseOne(body, '', now)];
}

function parseOne(item: unknown, path: string, now: Date): ObservedChangeInput {
  if (!isObject(item)) throw invalid(path || 'body', 'expected a JSON object');
  for (const key of Object.keys(item)) {
    if (FIELDS.has(key)) continue;
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    throw invalid(at(path, key), FIELDS.has(snake) ? `unknown field; did you mean '${snake}'?` : 'unknown field');
  }

  const asset = optName(item, 'asset', path);
  const service = optName(item, 'service', path);
  // Without either there is nothing to match against a change record or a freeze policy.
  if (asset === null && service === null) throw invalid(at(path, 'asset'), 'required unless service is given');

  let type: ChangeType = 'other';
  if (item.type !== undefined) {
    if (!isChangeType(item.type)) throw invalid(at(path, 'type'), `one of ${CHANGE_TYPES.join(', ')}`);
    type = item.type;
  }

  let actor: string | null = null;
  if (item.actor !== undefined && item.actor !== null) {
    if (typeof item.actor !== 'string' || item.actor.trim() === '') throw invalid(at(path, 'actor'), 'expected a non-empty string, or null');
    actor = item.actor;
  }

  if (typeof item.summary !== 'string' || item.summary.trim() === '') throw invalid(at(path, 'summary'), 'required: a non-empty string');
  if (item.summary.length > MAX_SUMMARY) throw invalid(at(path, 'summary'), `at most ${MAX_SUMMARY} characters (got ${item.summary.length})`);

  let source = 'api';
  if (item.source !== undefined) {
    if (typeof item.source !== 'string' || !SOURCE.test(item.source)) {
      throw invalid(at(path, 'source'), 'expected a name of 1-64 letters, digits or . _ @ : / -');
    }
    source = item.source;
  }

  let evidence: Record<string, unknown> = {};
  if (item.evidence !== undefined) {
    if (!isObject(item.evidence)) throw invalid(at(path, 'evidence'), 'expected a JSON object');
    evidence = item.evidence;
  }

  return {
    source,
    type,
    asset,
    service,
    actor,
    timestamp: item.timestamp === undefined ? isoOf(now.getTime()) : timestamp(item.timestamp, at(path, 'timestamp')),
    summary: item.summary,
    evidence,
  };
}

function optName(item: JsonObject, key: string, path: string): string | null {
  const v = item[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !NAME.test(v)) throw invalid(at(path, key), 'expected a name of 1-128 letters, digits or . _ @ : / -');
  return v;
}

/** An instant as UTC ISO, so observed changes sort and compare as strings. */
function timestamp(v: unknown, field: string): string {
  if (typeof v === 'string' && NAIVE_ISO.test(v)) {
    throw invalid(field, `an offset is required (add Z or +hh:mm, e.g. ${v.replace(' ', 'T')}Z); a time without one is ambiguous`);
  }
  const ms = parseZonedTimestamp(v);
  if (ms === null) throw invalid(field, `expected an ISO 8601 time with an offset, e.g. 2026-03-03T14:00:00Z (got ${JSON.stringify(v)})`);
  return isoOf(ms);
}

/**
 * An invalid PagerDuty change event. The route answers 400 with
 * `{ status: 'invalid event', message: 'Event object is invalid', errors }` as PagerDuty does.
 */
export class PagerDutyChangeError extends VigilError {
  constructor(readonly errors: string[]) {
    super('invalid_event', 'Event object is invalid', 400, undefined, { errors });
    this.name = 'PagerDutyChangeError';
  }
}

/**
 * A PagerDuty change event → an observed change. Every problem is reported at once, as PagerDuty
 * does. `routing_key` is checked but not returned: it is the integration's credential, so it must
 * not end up in stored evidence; the route reads it from the body to pick the integration.
 */
export function parsePagerDutyChangeEvent(body: unknown, now: Date): ObservedChangeInput {
  if (!isObject(body)) throw new PagerDutyChangeError(['Event object must be a JSON object']);
  const errors: string[] = [];

  if (body.routing_key !== undefined && body.routing_key !== null && typeof body.routing_key !== 'string') {
    errors.push("'routing_key' must be a string");
  } else if (blank(body.routing_key)) errors.push("'routing_key' is missing or blank");

  const links = parseLinks(body.links, errors);

  const payload = body.payload;
  if (payload === undefined || payload === null) {
    errors.push("'payload' is missing");
    throw new PagerDutyChangeError(errors);
  }
  if (!isObject(payload)) {
    errors.push("'payload' must be an object");
    throw new PagerDutyChangeError(errors);
  }

  const summary = payload.summary;
  if (summary !== undefined && summary !== null && typeof summary !== 'string') errors.push("'payload.summary' must be a string");
  else if (blank(summary)) errors.push("'payload.summary' is missing or blank");
  else if ((summary as string).length > MAX_SUMMARY) errors.push(`'payload.summary' must be at most ${MAX_SUMMARY} characters`);

  const source = payload.source;
  if (source !== undefined && source !== null && typeof source !== 'string') errors.push("'payload.source' must be a string");

  let time = now.getTime();
  if (!blank(payload.timestamp)) {
    const ms = parseZonedTimestamp(payload.timestamp);
    if (ms === null) errors.push("'payload.timestamp' must be an ISO 8601 timestamp with a zone offset");
    else time = ms;
  }
  if (errors.length > 0) throw new PagerDutyChangeError(errors);

  // custom_details is free-form JSON (PagerDuty accepts any); only an object can name a type or an actor.
  const details = payload.custom_details;
  const detail = (key: string): string | undefined => {
    const v = isObject(details) ? details[key] : undefined;
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const declared = detail('type')?.toLowerCase();
  const asset = typeof source === 'string' && source.trim() !== '' ? source.trim() : null;

  const evidence: Record<string, unknown> = { links };
  if (details !== undefined && details !== null) evidence.custom_details = details;
  return {
    source: 'pagerduty',
    // The Change Events API is what CI pipelines call after a deploy: that is the default.
    type: isChangeType(declared) ? declared : 'deploy',
    asset,
    service: null,
    actor: detail('actor') ?? detail('user') ?? detail('author') ?? null,
    timestamp: isoOf(time),
    summary: summary as string,
    evidence,
  };
}

function parseLinks(value: unknown, errors: string[]): Array<{ href: string; text?: string }> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push("'links' must be an array");
    return [];
  }
  const links: Array<{ href: string; text?: string }> = [];
  value.forEach((link, i) => {
    if (!isObject(link) || typeof link.href !== 'string' || link.href.trim() === '') {
      errors.push(`'links[${i}].href' is missing or blank`);
    } else if (link.text !== undefined && link.text !== null && typeof link.text !== 'string') {
      errors.push(`'links[${i}].text' must be a string`);
    } else {
      links.push(typeof link.text === 'string' && link.text !== '' ? { href: link.href, text: link.text } : { href: link.href });
    }
  });
  return links;
}

const CHANGE_TAG = /^vigil\.change\.([a-z_]+)$/;

/** The change type a Sigma rule's `vigil.change.<type>` tag names, or null. */
export function changeTypeOfTags(tags: readonly string[]): ChangeType | null {
  for (const tag of tags) {
    const type = CHANGE_TAG.exec(tag)?.[1];
    if (type && (CHANGE_TYPES as readonly string[]).includes(type)) return type as ChangeType;
  }
  return null;
}

/** A detection of a rule tagged `vigil.change.<type>` as an observed change on its host, by its user; null for other rules. */
export function observedChangeOfDetection(alert: Pick<Alert, 'rule' | 'entities' | 'first_seen' | 'event_ids'>): ObservedChangeInput | null {
  const type = changeTypeOfTags(alert.rule.tags);
  if (!type) return null;
  return {
    source: `sigma:${alert.rule.id}`,
    type,
    asset: alert.entities.hosts[0] ?? alert.entities.ips[0] ?? null,
    service: null,
    actor: alert.entities.users[0] ?? null,
    timestamp: alert.first_seen,
    summary: alert.rule.title,
    evidence: { event_ids: alert.event_ids, rule_id: alert.rule.id },
  };
}
