/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`) → IncomingAlert, so tools that already page through
 * PagerDuty can point at Vigil unchanged. Errors are collected, not thrown one by one, because
 * PagerDuty answers with every problem at once and its clients expect that.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { type AlertLevel, type IncomingAlert, VigilError } from '../../core/index.ts';
import { attackFromTags } from '../../detect/index.ts';
import { emptyEntities, isObject, isoOf, parseZonedTimestamp, type JsonObject } from './common.ts';

/**
 * An invalid event. The route answers 400 with
 * `{ status: 'invalid event', message: 'Event object is invalid', errors }` as PagerDuty does; as a
 * VigilError it still maps to a sensible 400 if it reaches the generic error handler.
 */
export class PagerDutyError extends VigilError {
  constructor(readonly errors: string[]) {
    super('invalid_event', 'Event object is invalid', 400, undefined, { errors });
    this.name = 'PagerDutyError';
  }
}

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

const ACTIONS: readonly PagerDutyAction[] = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES: Record<string, AlertLevel> = { critical: 'critical', error: 'high', warning: 'medium', info: 'low' };
const MAX_DEDUP_KEY = 255;
const MAX_SUMMARY = 1024;

const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

export interface PagerDutyEvent {
  alert: IncomingAlert;
  dedup_key: string;
  routing_key: string;
}

/**
 * Parse an Events API v2 body. `dedup_key` is generated (32 hex chars) for a trigger without one;
 * acknowledge and resolve yield a placeholder alert that triage matches by fingerprint.
 */
export function parsePagerDutyEvent(body: unknown, now: Date): PagerDutyEvent {
  if (!isObject(body)) throw new PagerDutyError(['Event object must be a JSON object']);
  const errors: string[] = [];
  const optString = (obj: JsonObject, key: string, path: string): string | undefined => {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      errors.push(`'${path}' must be a string`);
      return undefined;
    }
    return v;
  };

  const routingKey = optString(body, 'routing_key', 'routing_key');
  if (blank(body.routing_key)) errors.push("'routing_key' is missing or blank");

  const action = body.event_action as PagerDutyAction;
  if (blank(action)) errors.push("'event_action' is missing or blank");
  else if (!ACTIONS.includes(action)) errors.push(`'event_action' must be one of ${ACTIONS.join(', ')}`);

  const dedupKey = optString(body, 'dedup_key', 'dedup_key');
  if (dedupKey !== undefined && dedupKey.length > MAX_DEDUP_KEY) errors.push(`'dedup_key' must be at most ${MAX_DEDUP_KEY} characters`);
  if ((action === 'acknowledge' || action === 'resolve') && blank(body.dedup_key)) {
    errors.push(`'dedup_key' is missing or blank (required for ${action})`);
  }

  const links = parseLinks(body, errors);
  const clientUrl = optString(body, 'client_url', 'client_url');
  const client = optString(body, 'client', 'client');
  if (body.images !== undefined && !Array.isArray(body.images)) errors.push("'images' must be an array");

  // PagerDuty ignores the payload of acknowledge and resolve; so do we.
  const trigger = action === 'trigger' ? parsePayload(body.payload, now, errors, optString) : undefined;
  if (errors.length > 0) throw new PagerDutyError(errors);

  const key = blank(dedupKey) ? randomBytes(16).toString('hex') : dedupKey!;
  const base = { fingerprint: `pd:${key}`, source: 'pagerduty', event_ids: [], count: 1 };
  if (!trigger) {
    const at = isoOf(now.getTime());
    const alert: IncomingAlert = {
      ...base,
      rule: { id: 'pagerduty', title: key, level: 'medium', tags: [] },
      labels: {},
      entities: emptyEntities(),
      attack: attackFromTags([]),
      first_seen: at,
      last_seen: at,
      status: action === 'resolve' ? 'resolved' : 'firing',
    };
    if (action === 'resolve') alert.resolved_at = at;
    else alert.acknowledge = true;
    return { alert, dedup_key: key, routing_key: routingKey! };
  }

  if (clientUrl) links.push({ href: clientUrl, text: client || 'Client' });
  const alert: IncomingAlert = { ...base, ...trigger, status: 'firing' };
  if (links.length > 0) alert.links = links;
  return { alert, dedup_key: key, routing_key: routingKey! };
}

type TriggerPart = Pick<IncomingAlert, 'rule' | 'labels' | 'entities' | 'attack' | 'annotations' | 'first_seen' | 'last_seen'>;

function parsePayload(
  payload: unknown,
  now: Date,
  errors: string[],
  optString: (obj: JsonObject, key: string, path: string) => string | undefined,
): TriggerPart | undefined {
  if (payload === undefined || payload === null) {
    errors.push("'payload' is missing (required for trigger)");
    return undefined;
  }
  if (!isObject(payload)) {
    errors.push("'payload' must be an object");
    return undefined;
  }
  const before = errors.length;
  const summary = optString(payload, 'summary', 'payload.summary');
  if (blank(payload.summary)) errors.push("'payload.summary' is missing or blank");
  else if (summary !== undefined && summary.length > MAX_SUMMARY) errors.push(`'payload.summary' must be at most ${MAX_SUMMARY} characters`);
  const source = optString(payload, 'source', 'payload.source');
  if (blank(payload.source)) errors.push("'payload.source' is missing or blank");
  const severity = payload.severity;
  if (blank(severity)) errors.push("'payload.severity' is missing or blank");
  else if (typeof severity !== 'string' || !Object.hasOwn(SEVERITIES, severity)) {
    errors.push(`'payload.severity' must be one of ${Object.keys(SEVERITIES).join(', ')}`);
  }
  let time = now.getTime();
  if (!blank(payload.timestamp)) {
    const ms = parseZonedTimestamp(payload.timestamp);
    if (ms === null) errors.push("'payload.timestamp' must be an ISO 8601 timestamp with a zone offset");
    else time = ms;
  }
  const component = optString(payload, 'component', 'payload.component');
  const group = optString(payload, 'group', 'payload.group');
  const klass = optString(payload, 'class', 'payload.class');
  if (errors.length > before) return undefined;

  const labels: Record<string, string> = { pd_source: source! };
  if (component) labels.component = component;
  if (group) labels.group = group;
  if (klass) labels.class = klass;

  const entities = emptyEntities();
  const src = source!.trim();
  if (isIP(src)) entities.ips.push(src);
  else entities.hosts.push(src);

  const annotations = flattenDetails(payload.custom_details);
  annotations.summary = summary!;
  const at = isoOf(time);
  return {
    rule: { id: klass || component || 'pagerduty', title: summary!, level: SEVERITIES[severity as string]!, tags: [] },
    labels,
    entities,
    attack: attackFromTags([]),
    annotations,
    first_seen: at,
    last_seen: at,
  };
}

/** custom_details is any JSON: an object gives one annotation per key, anything else one `custom_details`. */
function flattenDetails(details: unknown): Record<string, string> {
  const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  if (details === undefined || details === null) return {};
  if (!isObject(details)) return { custom_details: text(details) };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(details)) if (v !== undefined) out[k] = text(v);
  return out;
}

function parseLinks(body: JsonObject, errors: string[]): Array<{ href: string; text?: string }> {
  if (body.links === undefined || body.links === null) return [];
  if (!Array.isArray(body.links)) {
    errors.push("'links' must be an array");
    return [];
  }
  const links: Array<{ href: string; text?: string }> = [];
  body.links.forEach((link, i) => {
    if (!isObject(link) || typeof link.href !== 'string' || link.href.trim() === '') {
      errors.push(`'links[${i}].href' is missing or blank`);
      return;
    }
    if (link.text !== undefined && typeof link.text !== 'string') {
      errors.push(`'links[${i}].text' must be a string`);
      return;
    }
    links.push(link.text ? { href: link.href, text: link.text } : { href: link.href });
  });
  return links;
}
