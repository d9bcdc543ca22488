/**
 * Vigil's own alert shape (POST /api/v1/alerts and friends) → IncomingAlert. Hand-written checks
 * rather than a schema so each error names the exact path (`[3].rule.level`) with a plain reason.
 */
import { isIP } from 'node:net';
import { ALERT_LEVELS, type AlertEntities, type AlertLevel, type IncomingAlert } from '../../core/index.ts';
import { attackFromTags } from '../../detect/index.ts';
import { sha256Hex } from '../../lib/index.ts';
import {
  addHostOrIp, dedupeEntities, emptyEntities, invalidAlert, isObject, isoOf, joinPath, parseZonedTimestamp, type JsonObject,
} from './common.ts';

/** Most alerts one request may carry. */
export const MAX_VIGIL_ALERTS = 10_000;

const TOP_FIELDS = new Set([
  'rule', 'labels', 'entities', 'tags', 'timestamp', 'status', 'description', 'fingerprint', 'source', 'annotations',
  'count', 'indicator', 'event_ids',
]);
const RULE_FIELDS = new Set(['id', 'title', 'level']);
const ENTITY_FIELDS = ['hosts', 'users', 'ips', 'services'] as const;
const INDICATOR_FIELDS = new Set(['confidence', 'value', 'type', 'source']);

/** Labels whose values are also entities. Host-ish and IP labels are checked for being addresses. */
const HOST_LABELS = ['host', 'hostname'];
const IP_LABELS = ['ip', 'src_ip', 'dest_ip'];

/**
 * One alert object or an array of them (at most 10,000). Throws a VigilError (400,
 * `invalid_alert`, `field` = path of the first problem).
 */
export function parseVigilAlerts(body: unknown, now: Date): IncomingAlert[] {
  if (Array.isArray(body)) {
    if (body.length > MAX_VIGIL_ALERTS) throw invalidAlert('body', `at most ${MAX_VIGIL_ALERTS} alerts per request, got ${body.length}`);
    return body.map((item, i) => parseOne(item, `[${i}]`, now));
  }
  return [parseOne(body, '', now)];
}

function rejectUnknown(obj: JsonObject, allowed: ReadonlySet<string>, path: string): void {
  const unknown = Object.keys(obj).filter((k) => !allowed.has(k));
  if (unknown.length === 0) return;
  const list = unknown.map((k) => `'${k}'`).join(', ');
  throw invalidAlert(joinPath(path, unknown[0]!), `unknown field${unknown.length > 1 ? 's' : ''} ${list}`);
}

function optString(obj: JsonObject, key: string, path: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidAlert(joinPath(path, key), 'must be a string');
  return v;
}

function requiredString(obj: JsonObject, key: string, path: string): string {
  const v = optString(obj, key, path);
  if (v === undefined || v.trim() === '') throw invalidAlert(joinPath(path, key), 'is required and must be a non-empty string');
  return v;
}

function stringArray(value: unknown, path: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidAlert(path, 'must be an array of strings');
  value.forEach((v, i) => {
    if (typeof v !== 'string') throw invalidAlert(`${path}[${i}]`, 'must be a string');
  });
  return value as string[];
}

/** string → string map; numbers and booleans become strings (senders often emit `port: 22`). */
function stringMap(value: unknown, path: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) throw invalidAlert(path, 'must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '') throw invalidAlert(path, 'keys must be non-empty');
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw invalidAlert(`${path}.${k}`, 'must be a string, number or boolean');
  }
  return out;
}

function parseEntities(value: unknown, path: string): AlertEntities {
  const entities = emptyEntities();
  if (value === undefined) return entities;
  if (!isObject(value)) throw invalidAlert(path, 'must be an object with hosts, users, ips, services');
  rejectUnknown(value, new Set(ENTITY_FIELDS), path);
  for (const kind of ENTITY_FIELDS) entities[kind] = [...stringArray(value[kind], `${path}.${kind}`)];
  entities.ips.forEach((ip, i) => {
    if (!isIP(ip)) throw invalidAlert(`${path}.ips[${i}]`, `'${ip}' is not an IP address`);
  });
  return entities;
}

function mergeLabelEntities(entities: AlertEntities, labels: Record<string, string>): void {
  for (const key of HOST_LABELS) if (labels[key] !== undefined) addHostOrIp(entities, labels[key]);
  // A label named `ip` that holds no address stays a label only.
  for (const key of IP_LABELS) if (labels[key] !== undefined && isIP(labels[key].trim())) entities.ips.push(labels[key].trim());
  if (labels.user !== undefined) entities.users.push(labels.user);
  if (labels.service !== undefined) entities.services.push(labels.service);
}

/** Rule id + labels + entities, each sorted so that key order in the request does not matter. */
function defaultFingerprint(ruleId: string, labels: Record<string, string>, entities: AlertEntities): string {
  const sortedLabels = Object.keys(labels).sort().map((k) => [k, labels[k]]);
  const sortedEntities = Object.fromEntries(ENTITY_FIELDS.map((kind) => [kind, [...entities[kind]].sort()]));
  return sha256Hex(JSON.stringify([ruleId, sortedLabels, sortedEntities])).slice(0, 32);
}

function parseOne(item: unknown, path: string, now: Date): IncomingAlert {
  if (!isObject(item)) throw invalidAlert(path || 'body', 'must be an alert object');
  rejectUnknown(item, TOP_FIELDS, path);

  const rulePath = joinPath(path, 'rule');
  const rawRule = item.rule;
  if (!isObject(rawRule)) throw invalidAlert(rulePath, 'is required and must be an object with at least an id');
  rejectUnknown(rawRule, RULE_FIELDS, rulePath);
  const ruleId = requiredString(rawRule, 'id', rulePath);
  const title = optString(rawRule, 'title', rulePath) ?? ruleId;
  let level: AlertLevel = 'medium';
  if (rawRule.level !== undefined) {
    if (!ALERT_LEVELS.includes(rawRule.level as AlertLevel)) {
      throw invalidAlert(joinPath(rulePath, 'level'), `must be one of ${ALERT_LEVELS.join(', ')}`);
    }
    level = rawRule.level as AlertLevel;
  }

  const labels = stringMap(item.labels, joinPath(path, 'labels'));
  const annotations = item.annotations === undefined ? undefined : stringMap(item.annotations, joinPath(path, 'annotations'));
  const tags = stringArray(item.tags, joinPath(path, 'tags'));
  const eventIds = stringArray(item.event_ids, joinPath(path, 'event_ids'));
  const entities = parseEntities(item.entities, joinPath(path, 'entities'));
  mergeLabelEntities(entities, labels);
  const merged = dedupeEntities(entities);

  let time = now.getTime();
  if (item.timestamp !== undefined) {
    const ms = parseZonedTimestamp(item.timestamp);
    if (ms === null) throw invalidAlert(joinPath(path, 'timestamp'), 'must be an ISO 8601 timestamp with a zone offset, e.g. 2024-05-01T12:00:00Z');
    time = ms;
  }
  const timestamp = isoOf(time);

  let status: IncomingAlert['status'] = 'firing';
  if (item.status !== undefined) {
    if (item.status !== 'firing' && item.status !== 'resolved') throw invalidAlert(joinPath(path, 'status'), 'must be firing or resolved');
    status = item.status;
  }

  let count = 1;
  if (item.count !== undefined) {
    if (typeof item.count !== 'number' || !Number.isSafeInteger(item.count) || item.count < 1) {
      throw invalidAlert(joinPath(path, 'count'), 'must be an integer of at least 1');
    }
    count = item.count;
  }

  const description = optString(item, 'description', path);
  const source = optString(item, 'source', path);
  if (source !== undefined && source.trim() === '') throw invalidAlert(joinPath(path, 'source'), 'must be a non-empty string');
  let fingerprint = optString(item, 'fingerprint', path);
  if (fingerprint !== undefined && fingerprint.trim() === '') throw invalidAlert(joinPath(path, 'fingerprint'), 'must be a non-empty string');
  fingerprint ??= defaultFingerprint(ruleId, labels, merged);

  const alert: IncomingAlert = {
    fingerprint,
    source: source ?? 'api',
    rule: { id: ruleId, title, level, tags },
    labels,
    entities: merged,
    attack: attackFromTags(tags),
    event_ids: eventIds,
    first_seen: timestamp,
    last_seen: timestamp,
    count,
    status,
  };
  if (description !== undefined) alert.description = description;
  if (annotations !== undefined) alert.annotations = annotations;
  if (status === 'resolved') alert.resolved_at = timestamp;
  if (item.indicator !== undefined) alert.indicator = parseIndicator(item.indicator, joinPath(path, 'indicator'));
  return alert;
}

function parseIndicator(value: unknown, path: string): NonNullable<IncomingAlert['indicator']> {
  if (!isObject(value)) throw invalidAlert(path, 'must be an object with a confidence');
  rejectUnknown(value, INDICATOR_FIELDS, path);
  const c = value.confidence;
  if (typeof c !== 'number' || !Number.isFinite(c) || c < 0 || c > 100) {
    throw invalidAlert(joinPath(path, 'confidence'), 'is required and must be a number from 0 to 100');
  }
  const indicator: NonNullable<IncomingAlert['indicator']> = { confidence: c };
  for (const key of ['value', 'type', 'source'] as const) {
    const s = optString(value, key, path);
    if (s !== undefined) indicator[key] = s;
  }
  return indicator;
}
