import { ORIGINAL_TEXT, type Alert, type Incident, type LedgerDelta, type NotificationRecord, type TimelineEntry, type VigilEvent } from '../../core/index.ts';
import { getPath } from '../../lib/index.ts';
import type { DeadLetter } from '../ports.ts';
import { encodeKey, KEYED_FIELDS } from './keys.ts';

/** Values per event row, in the order the writer's INSERT expects, then fts text and keys. */
export const EVENT_ROW_WIDTH = 15;
export const DEAD_LETTER_ROW_WIDTH = 7;
export const ALERT_ROW_WIDTH = 10;
export const INCIDENT_ROW_WIDTH = 12;
export const TIMELINE_ROW_WIDTH = 3;
export const NOTIFICATION_ROW_WIDTH = 4;
export const LEDGER_ROW_WIDTH = 7;

/** Longest text given to full-text indexing per event. */
const MAX_FTS_CHARS = 4096;

const scalarText = (value: unknown): string | null => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
};

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

const KEYED = Object.keys(KEYED_FIELDS);
/** Positions in KEYED of the fields that also have their own column. */
const [HOST, USER, SOURCE_IP, DESTINATION_IP, CATEGORY, ACTION, OUTCOME] = ['host.name', 'user.name', 'source.ip', 'destination.ip', 'event.category', 'event.action', 'event.outcome'].map((f) => KEYED.indexOf(f));

/**
 * Reads each keyed field once: its first value for the column, and its exact-match keys (one per
 * array element) for the key index.
 */
function keyedFields(event: VigilEvent): { first: Array<string | null>; keys: string } {
  const first: Array<string | null> = new Array(KEYED.length);
  const keys: string[] = [];
  for (let i = 0; i < KEYED.length; i++) {
    const field = KEYED[i]!;
    const value = getPath(event, field);
    if (Array.isArray(value)) {
      first[i] = value.length > 0 ? scalarText(value[0]) : null;
      for (const item of value) {
        const text = scalarText(item);
        if (text !== null) keys.push(encodeKey(field, text));
      }
    } else {
      const text = scalarText(value);
      first[i] = text;
      if (text !== null) keys.push(encodeKey(field, text));
    }
  }
  return { first, keys: keys.join(' ') };
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
  const { first, keys } = keyedFields(event);
  out.push(
    event.id,
    Date.parse(event['@timestamp']),
    Date.parse((event.event?.ingested as string | undefined) ?? event['@timestamp']),
    event.input.type,
    event.input.name,
    first[HOST],
    first[USER],
    first[SOURCE_IP],
    first[DESTINATION_IP],
    first[CATEGORY],
    first[ACTION],
    first[OUTCOME],
    documentJson(event),
    fullText(event),
    keys,
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
  out.push(
    alert.id,
    Date.parse(alert.last_seen),
    alert.rule.id,
    alert.rule.level,
    alert.status,
    alert.fingerprint,
    JSON.stringify(alert),
    alert.incident_id ?? null,
    alert.suppressed_by ?? null,
    alert.source,
  );
}

/** The incident number of INC-n. */
export const incidentSeq = (id: string): number => Number(id.slice(4));

export function pushIncidentRow(out: unknown[], incident: Incident): void {
  out.push(
    incidentSeq(incident.id),
    incident.id,
    incident.status,
    incident.priority,
    incident.score,
    incident.severity,
    incident.assignee,
    Date.parse(incident.first_seen),
    Date.parse(incident.last_seen),
    Date.parse(incident.detected_at),
    Date.parse(incident.updated_at),
    JSON.stringify(incident),
  );
}

export function pushTimelineRow(out: unknown[], entry: TimelineEntry): void {
  out.push(entry.incident_id, Date.parse(entry.at), JSON.stringify(entry));
}

export function pushNotificationRow(out: unknown[], record: NotificationRecord): void {
  out.push(record.id, record.incident_id, Date.parse(record.due_at), JSON.stringify(record));
}

export function pushLedgerRow(out: unknown[], delta: LedgerDelta): void {
  out.push(delta.hour, delta.rule_id, delta.source, delta.service, delta.stage, delta.reason, delta.count);
}
