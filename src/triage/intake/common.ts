/**
 * Helpers shared by the intake parsers: field paths, timestamps, entity extraction. Pure.
 */
import { isIP } from 'node:net';
import { type AlertEntities, VigilError } from '../../core/index.ts';
import { parseIso8601, toIso } from '../../normalize/index.ts';

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `a.b`, or `b` at the root. */
export const joinPath = (base: string, key: string): string => (base ? `${base}.${key}` : key);

/** Every intake error: 400, code `invalid_alert`, the field, and a message that starts with the field. */
export const invalidAlert = (field: string, reason: string): VigilError =>
  new VigilError('invalid_alert', `${field || 'body'}: ${reason}`, 400, field || 'body');

// A date, a time and an explicit zone: a timestamp without a zone is ambiguous, so refused.
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:[Zz]|[+-]\d{2}:?\d{2})$/;

/** An ISO 8601 / RFC 3339 timestamp with a zone (`Z`, `+02:00` or `+0200`) to epoch ms, or null. */
export function parseZonedTimestamp(value: unknown): number | null {
  if (typeof value !== 'string' || !WITH_ZONE.test(value)) return null;
  return parseIso8601(value);
}

export const isoOf = (ms: number): string => toIso(ms);

/** Go's zero `time.Time`, which Alertmanager and Grafana send for "no end yet". */
export const isGoZeroTime = (value: unknown): boolean => typeof value === 'string' && value.startsWith('0001-01-01T00:00:00');

export const emptyEntities = (): AlertEntities => ({ hosts: [], users: [], ips: [], services: [] });

/** Entities with each list deduplicated, first occurrence kept, blanks dropped. */
export function dedupeEntities(e: AlertEntities): AlertEntities {
  const uniq = (values: string[]) => [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
  return { hosts: uniq(e.hosts), users: uniq(e.users), ips: uniq(e.ips), services: uniq(e.services) };
}

/** `[::1]` → `::1`; anything else unchanged. */
const unbracket = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/**
 * A host-ish value goes to `ips` when it is an address, else to `hosts`: an IP in the host list
 * would never match the same address seen in events.
 */
export function addHostOrIp(entities: AlertEntities, value: string): void {
  const v = unbracket(value.trim());
  if (v === '') return;
  if (isIP(v)) entities.ips.push(v);
  else entities.hosts.push(v);
}

/**
 * The host part of a Prometheus `instance`: `host:9100` → `host`, `[::1]:9090` → `::1`, a bare
 * IPv6 address stays whole, a URL (blackbox probes) gives its hostname.
 */
export function instanceHost(instance: string): string {
  const s = instance.trim();
  if (s.includes('://')) {
    try {
      return unbracket(new URL(s).hostname);
    } catch {
      return s;
    }
  }
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) return bracketed[1]!;
  if (isIP(s) === 6) return s;
  const hostPort = /^(.*):\d+$/.exec(s);
  return hostPort ? hostPort[1]! : s;
}
