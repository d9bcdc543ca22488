import { useState } from 'preact/hooks';
import { time } from '../format.ts';
import { JsonBlock } from './common.tsx';

/** The result table: one row per event, each expandable to the whole record and its original, all as text. */

export type EventRecord = Record<string, unknown> & { id?: string; original?: unknown };

/** A field by dotted path (`host.name`), whether stored nested or under the dotted key. */
export function fieldValue(record: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path];
  let current: unknown = record;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Any value as display text (arrays joined, objects as JSON); absent is empty. */
export function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(asText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const COLUMNS: Array<[string, string]> = [
  ['host.name', 'Host'],
  ['user.name', 'User'],
  ['event.action', 'Action'],
];

export function ResultTable({ events, busy }: { events: EventRecord[]; busy: boolean }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (key: string) =>
    setOpen((old) => {
      const next = new Set(old);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <table class="results" aria-busy={busy ? 'true' : 'false'}>
      <caption class="sr-only">Matching events; expand a row to see the whole record and its original</caption>
      <thead>
        <tr>
          <th scope="col">
            <span class="sr-only">Details</span>
          </th>
          <th scope="col">@timestamp</th>
          {COLUMNS.map(([field]) => (
            <th scope="col" key={field}>
              {field}
            </th>
          ))}
          <th scope="col">message</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event, index) => {
          const key = typeof event.id === 'string' ? event.id : `row-${index}`;
          const expanded = open.has(key);
          const detailId = `event-detail-${index}`;
          const stamp = time(asText(event['@timestamp']) || null);
          const { original, ...rest } = event;
          return [
            <tr key={key} class={expanded ? 'expanded' : ''}>
              <td>
                <button
                  type="button"
                  class="expander"
                  aria-expanded={expanded ? 'true' : 'false'}
                  aria-controls={expanded ? detailId : undefined}
                  aria-label={`Event at ${stamp}${event.id ? ` (${event.id})` : ''}: ${expanded ? 'hide' : 'show'} the whole record`}
                  onClick={() => toggle(key)}
                >
                  <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
                </button>
              </td>
              <td class="ts">{stamp}</td>
              {COLUMNS.map(([field]) => (
                <td key={field}>{asText(fieldValue(event, field)) || <span class="muted">—</span>}</td>
              ))}
              <td class="msg">{asText(event.message)}</td>
            </tr>,
            expanded ? (
              <tr key={`${key}-detail`} class="detail" id={detailId}>
                <td colSpan={2 + COLUMNS.length + 1}>
                  <div class="event-detail">
                    <div>
                      <h3>Event</h3>
                      <JsonBlock value={rest} label="The whole event as stored" />
                    </div>
                    <div>
                      <h3>Original</h3>
                      {original === undefined ? <p class="muted">No original kept.</p> : <JsonBlock value={original} label="The original record as received" />}
                    </div>
                  </div>
                </td>
              </tr>
            ) : null,
          ];
        })}
      </tbody>
    </table>
  );
}
