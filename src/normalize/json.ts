/**
 * Generic JSON records. ECS passes through: nested objects as they are, flat dotted keys
 * (`"host.name": "x"`) expanded into nested objects, both mixed in one record (see `cloneJson`
 * for collisions). All fields are kept; the record itself becomes `original` untouched (the event
 * is a copy, so later stages may change it freely).
 *
 * Time: the first present of `@timestamp`, `timestamp`, `time`, `ts`, `date`, `eventTime`,
 * `event.created` (nested or dotted), read by `parseTimestamp` (ISO 8601 with or without offset,
 * RFC 2822, epoch s / ms / µs / ns by magnitude as number or numeric string). An unparseable
 * `@timestamp` rejects the record: it is the ECS time field, so the sender claims a time we
 * cannot read, and quietly using the receive time would misplace the event. The other names are
 * only guesses, so an unparseable one is a warning and the next candidate (else receivedAt) is used.
 *
 * Leniency: a string `event` (`{"event": "user_login"}`) becomes `event.action`, a string `host`
 * becomes `host.name`; a non-string `message` is turned into a string when it is a number or
 * boolean and otherwise dropped (with a warning; it stays in `original`). A `message` holding a
 * CEF or LEEF line is parsed too; its fields only fill what the record lacks.
 * Windows-shaped objects are routed to the Windows normaliser.
 */
import type { NormalizeContext, NormalizedEvent } from '../core/index.ts';
import { err, ok, type Result } from '../core/index.ts';
import { cefFields, isCef, parseCef } from './cef.ts';
import { isLeef, leefFields, parseLeef } from './leef.ts';
import { parseTimestamp, toIso } from './time.ts';
import {
  cloneJson, finish, getOwn, getPath, isObj, merge, optionZone, q, receivedMs, MAX_NODES,
  type Draft, type NormalizeOptions, type Obj,
} from './util.ts';
import { windowsDraft, windowsShape } from './windows.ts';

export const TIME_FIELDS = ['@timestamp', 'timestamp', 'time', 'ts', 'date', 'eventTime', 'event.created'] as const;

/** Draft for a generic JSON object (not Windows-shaped: `normalizeJson` routes those). */
export function jsonDraft(o: Obj, ctx: NormalizeContext, opts?: NormalizeOptions): Result<Draft, string> {
  const warnings: string[] = [];
  const ev = cloneJson(o, true, warnings);
  if (!isObj(ev)) return err(`record: more than ${MAX_NODES} values`);
  const ref = receivedMs(ctx);

  let ts: number | null = null;
  for (const k of TIME_FIELDS) {
    const v = k === '@timestamp' ? getOwn(ev, k) : getPath(ev, k);
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string' && typeof v !== 'number') {
      if (k === '@timestamp') return err(`@timestamp: not a valid date: ${q(v)}`);
      continue; // e.g. {"time": {"start": ...}}: not a timestamp
    }
    ts = parseTimestamp(v, ref);
    if (ts !== null) break;
    if (k === '@timestamp') return err(`@timestamp: not a valid date: ${q(v)}`);
    warnings.push(`${k}: not a valid date: ${q(v)}`);
  }
  ev['@timestamp'] = toIso(ts ?? ref);

  const event = getOwn(ev, 'event');
  if (event === undefined) ev.event = { kind: 'event' };
  else if (isObj(event)) {
    if (getOwn(event, 'kind') === undefined) event.kind = 'event';
  } else if (typeof event === 'string') {
    ev.event = { kind: 'event', action: event };
  } else {
    warnings.push(`event: not an object: ${q(event)} (kept in original)`);
    ev.event = { kind: 'event' };
  }
  const host = getOwn(ev, 'host');
  if (typeof host === 'string') ev.host = { name: host };

  const msg = getOwn(ev, 'message');
  if (msg !== undefined && typeof msg !== 'string') {
    if (typeof msg === 'number' || typeof msg === 'boolean') ev.message = String(msg);
    else {
      delete ev.message;
      if (msg !== null) warnings.push('message: not a string, dropped (kept in original)');
    }
  }
  if (getOwn(ev, 'original') !== undefined) {
    warnings.push("original: reserved field; the record's own value is at original.original");
  }

  const m = getOwn(ev, 'message');
  if (typeof m === 'string' && m.length > 5 && (isCef(m) || isLeef(m))) {
    const zone = optionZone(opts);
    if (m.charCodeAt(0) === 67) {
      const c = parseCef(m);
      if (c.ok) {
        const r = cefFields(c.value, ref, zone, warnings);
        merge(ev, r.fields, true);
        if (ts === null && r.timeMs !== null) {
          ts = r.timeMs;
          ev['@timestamp'] = toIso(ts);
        }
      } else warnings.push(`message: ${c.error}`);
    } else {
      const l = parseLeef(m);
      if (l.ok) {
        const r = leefFields(l.value, ref, zone, warnings);
        merge(ev, r.fields, true);
        if (ts === null && r.timeMs !== null) {
          ts = r.timeMs;
          ev['@timestamp'] = toIso(ts);
        }
      } else warnings.push(`message: ${l.error}`);
    }
  }
  return ok({ ev, warnings, hasTime: ts !== null });
}

/** A JSON object → event; Windows-shaped objects go through the Windows normaliser. */
export function normalizeJson(o: Obj, ctx: NormalizeContext, opts?: NormalizeOptions): Result<NormalizedEvent, string> {
  if (!isObj(o)) return err('record: not a JSON object');
  const shape = windowsShape(o);
  const d = shape ? windowsDraft(o, shape, ctx, opts) : jsonDraft(o, ctx, opts);
  if (!d.ok) return d;
  return ok(finish(d.value.ev, d.value.warnings, o));
}
