import { ORIGINAL_TEXT, type Alert, type VigilEvent } from '../../core/index.ts';
import type { DeadLetter } from '../ports.ts';
import { encodeKey, KEYED_FIELDS } from './keys.ts';

/** Values per event row, in the order the writer's INSERT expects, then fts text and keys. */
export const EVENT_ROW_WIDTH = 15;
export const DEAD_LETTER_ROW_WIDTH = 7;
export const ALERT_ROW_WIDTH = 7;

/** Longest text given to full-text indexing per event. */
const MAX_FTS_CHARS = 4096;

const PATHS = new Map<string, string[]>();

const get = (event: VigilEvent, path: string): unknown => {
  let parts = PATHS.get(path);
  if (!parts) PATHS.set(path, (parts = path.split('.')));
  let node: unknown = event;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
};

const scalarText = (value: unknown): string | null => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
};

const firstText = (value: unknown): string | null =>
  Array.isArray(value) ? (value.length > 0 ? scalarText(value[0]) : null) : scalarText(value);

/** Every string leaf of a value, breadth-first and bounded, for full text of records without a message. */
function stringLeaves(value: unknown, budget: number): string {
  const parts: string[] = [];
  let used = 0;
  const queue: unknown[] = [value];
  for (let i = 0; i < queue.length && used < budget && i < 10_000; i++) {
    const node = queue[i];
    if (typeof node === 'string') {
      const piece = node.length > budget - used ? node.slice(0, budget - used) : node;
      parts.push(piece);
      used += piece.length + 1;
    } else if (node !== null && typeof node === 'object') {
      for (const child of Array.isArray(node) ? node : Object.values(node)) queue.push(child);
    }
  }
  return parts.join(' ');
}

export function fullText(event: VigilEvent): string {
  if (typeof event.message === 'string' && event.message.length > 0) {
    return event.message.length > MAX_FTS_CHARS ? event.message.slice(0, MAX_FTS_CHARS) : event.message;
  }
  return stringLeaves(event.original, MAX_FTS_CHARS);
}

export function keysOf(event: VigilEvent): string {
  const keys: string[] = [];
  for (const field in KEYED_FIELDS) {
    const value = get(event, field);
    if (Array.isArray(value)) {
      for (const item of value) {
        const text = scalarText(item);
        if (text !== null) keys.push(encodeKey(field, text));
      }
    } else {
      const text = scalarText(value);
      if (text !== null) keys.push(encodeKey(field, text));
    }
  }
  return keys.join(' ');
}

/** The stored document. The original's received JSON text is spliced in as is, sparing a second serialisation. */
export function documentJson(event: VigilEvent): string {
  const text = (event as { [ORIGINAL_TEXT]?: string })[ORIGINAL_TEXT];
  if (text === undefined) return JSON.stringify(event);
  const { original: _original, ...rest } = event;
  const json = JSON.stringify(rest);
  return json.length > 2 ? `${json.slice(0, -1)},"original":${text}}` : `{"original":${text}}`;
}

/** Appends one event's row values to `out` (flat, EVENT_ROW_WIDTH per event). */
export function pushEventRow(out: unknown[], event: VigilEvent): void {
  out.push(
    event.id,
    Date.parse(event['@timestamp']),
    Date.parse((event.event?.ingested as string | undefined) ?? event['@timestamp']),
    event.input.type,
    event.input.name,
    firstText(get(event, 'host.name')),
    firstText(get(event, 'user.name')),
    firstText(get(event, 'source.ip')),
    firstText(get(event, 'destination.ip')),
    firstText(get(event, 'event.category')),
    firstText(get(event, 'event.action')),
    firstText(get(event, 'event.outcome')),
    documentJson(event),
    fullText(event),
    keysOf(event),
  );
}

export function pushDeadLetterRow(out: unknown[], item: DeadLetter): void {
  out.push(
    item.received_at,
    item.input.type,
    item.input.name,
    item.input.address ?? null,
    item.reason,
    item.payload,
    item.encoding ?? 'utf8',
  );
}

export function pushAlertRow(out: unknown[], alert: Alert): void {
  out.push(alert.id, Date.parse(alert.last_seen), alert.rule.id, alert.rule.level, alert.status, alert.fingerprint, JSON.stringify(alert));
}
