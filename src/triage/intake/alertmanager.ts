/**
 * Prometheus Alertmanager webhook (payload version "4", `webhook_config`) → IncomingAlert, one per
 * entry of `alerts`. Grafana's Alertmanager-compatible webhook has the same shape plus extra
 * fields, which are ignored rather than rejected.
 */
import type { AlertLevel, IncomingAlert } from '../../core/index.ts';
import { attackFromTags } from '../../detect/index.ts';
import {
  addHostOrIp, dedupeEntities, emptyEntities, instanceHost, invalidAlert, isGoZeroTime, isObject, isoOf, parseZonedTimestamp,
} from './common.ts';

/** Far above Alertmanager's own `max_alerts` practice; a guard against absurd bodies. */
export const MAX_ALERTMANAGER_ALERTS = 10_000;

/** `severity` label values in the wild (Prometheus rules, kube-prometheus, Grafana, Opsgenie habits). */
const SEVERITY: Record<string, AlertLevel> = {
  critical: 'critical', page: 'critical', emergency: 'critical',
  error: 'high', high: 'high', major: 'high',
  warning: 'medium', warn: 'medium', medium: 'medium', minor: 'medium',
  info: 'low', informational: 'low', low: 'low', notice: 'low',
  none: 'informational', debug: 'informational',
};

export const levelFromSeverity = (severity: string | undefined): AlertLevel =>
  (severity !== undefined && Object.hasOwn(SEVERITY, severity.trim().toLowerCase()) ? SEVERITY[severity.trim().toLowerCase()] : undefined) ??
  'medium';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const U64 = (1n << 64n) - 1n;

/**
 * Alertmanager's own alert fingerprint (prometheus/common `labelSetToFingerprint`): FNV-1a 64 over
 * the labels sorted by name, each name and value followed by 0xff, as 16 hex digits. Used when a
 * sender omits `fingerprint`, so the alert still dedups with the ones Alertmanager did fingerprint.
 */
export function alertmanagerFingerprint(labels: Record<string, string>): string {
  let h = FNV_OFFSET;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & U64;
  };
  const sep = Uint8Array.of(0xff);
  const enc = new TextEncoder();
  // Go sorts label names bytewise; for the ASCII names Prometheus allows that is JS order too.
  for (const name of Object.keys(labels).sort()) {
    add(enc.encode(name));
    add(sep);
    add(enc.encode(labels[name]));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}

function stringMap(value: unknown, path: string, required: boolean): Record<string, string> {
  if (value === undefined || value === null) {
    if (required) throw invalidAlert(path, 'is required and must be an object of strings');
    return {};
  }
  if (!isObject(value)) throw invalidAlert(path, 'must be an object of strings');
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') throw invalidAlert(`${path}.${k}`, 'must be a string');
  return { ...(value as Record<string, string>) };
}

/**
 * Throws a VigilError (400, `invalid_alert`) naming the field: `version`, `alerts`,
 * `alerts[2].labels.alertname`, `alerts[0].startsAt`...
 */
export function parseAlertmanagerWebhook(body: unknown, now: Date): IncomingAlert[] {
  if (!isObject(body)) throw invalidAlert('body', 'must be an Alertmanager webhook object');
  if (body.version !== '4') {
    throw invalidAlert('version', `must be "4" (Alertmanager webhook payload version), got ${JSON.stringify(body.version) ?? 'nothing'}`);
  }
  if (!Array.isArray(body.alerts)) throw invalidAlert('alerts', 'is required and must be an array');
  if (body.alerts.length > MAX_ALERTMANAGER_ALERTS) throw invalidAlert('alerts', `at most ${MAX_ALERTMANAGER_ALERTS} alerts per request, got ${body.alerts.length}`);
  if (body.receiver !== undefined && typeof body.receiver !== 'string') throw invalidAlert('receiver', 'must be a string');
  const receiver = typeof body.receiver === 'string' && body.receiver !== '' ? body.receiver : undefined;
  return body.alerts.map((a, i) => parseAlert(a, `alerts[${i}]`, receiver, now));
}

function parseAlert(item: unknown, path: string, receiver: string | undefined, now: Date): IncomingAlert {
  if (!isObject(item)) throw invalidAlert(path, 'must be an alert object');
  if (item.status !== 'firing' && item.status !== 'resolved') throw invalidAlert(`${path}.status`, 'must be firing or resolved');
  const status = item.status;
  const amLabels = stringMap(item.labels, `${path}.labels`, true);
  const alertname = amLabels.alertname;
  if (alertname === undefined || alertname.trim() === '') throw invalidAlert(`${path}.labels.alertname`, 'is required and must be a non-empty string');
  const annotations = stringMap(item.annotations, `${path}.annotations`, false);

  // Alertmanager always sends startsAt; other senders of this shape may not, so default to now.
  let startsMs = now.getTime();
  if (item.startsAt !== undefined && !isGoZeroTime(item.startsAt)) {
    const ms = parseZonedTimestamp(item.startsAt);
    if (ms === null) throw invalidAlert(`${path}.startsAt`, 'must be an RFC 3339 timestamp');
    startsMs = ms;
  }
  let endsMs: number | null = null;
  if (item.endsAt !== undefined && !isGoZeroTime(item.endsAt)) {
    endsMs = parseZonedTimestamp(item.endsAt);
    if (endsMs === null) throw invalidAlert(`${path}.endsAt`, 'must be an RFC 3339 timestamp');
  }
  if (item.generatorURL !== undefined && typeof item.generatorURL !== 'string') throw invalidAlert(`${path}.generatorURL`, 'must be a string');
  if (item.fingerprint !== undefined && typeof item.fingerprint !== 'string') throw invalidAlert(`${path}.fingerprint`, 'must be a string');

  const fingerprint = item.fingerprint ? item.fingerprint : alertmanagerFingerprint(amLabels);
  // The alert's own `receiver` label, if it has one, is the sender's data: keep it.
  const labels = receiver !== undefined && amLabels.receiver === undefined ? { ...amLabels, receiver } : amLabels;

  const entities = emptyEntities();
  for (const key of ['host', 'hostname', 'node', 'nodename']) if (amLabels[key] !== undefined) addHostOrIp(entities, amLabels[key]);
  if (amLabels.instance !== undefined) addHostOrIp(entities, instanceHost(amLabels.instance));
  if (amLabels.user !== undefined) entities.users.push(amLabels.user);
  for (const key of ['service', 'business_service']) if (amLabels[key] !== undefined) entities.services.push(amLabels[key]);

  const tags = (amLabels.tags ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
  const first = isoOf(startsMs);
  // A resolved alert without endsAt resolved, as far as we know, when we heard of it.
  const last = status === 'resolved' ? isoOf(endsMs ?? Math.max(now.getTime(), startsMs)) : first;

  const alert: IncomingAlert = {
    fingerprint: `am:${fingerprint}`,
    source: 'alertmanager',
    rule: { id: alertname, title: annotations.summary || alertname, level: levelFromSeverity(amLabels.severity), tags },
    labels,
    entities: dedupeEntities(entities),
    attack: attackFromTags(tags),
    event_ids: [],
    first_seen: first,
    last_seen: last,
    count: 1,
    status,
    annotations,
  };
  if (annotations.description) alert.description = annotations.description;
  if (status === 'resolved') alert.resolved_at = last;
  if (item.generatorURL) alert.links = [{ href: item.generatorURL, text: 'Source' }];
  return alert;
}
