/**
 * An EventView over a plain object: a field name is read as a flat key first, then as a dotted
 * path into nested objects. Keywords are every string value in the object. For tests, tools and
 * callers that hold plain records.
 */
import type { EventView } from '../types.ts';

const MAX_DEPTH = 16;

function strings(v: unknown, out: string[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out, depth + 1);
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) strings(x, out, depth + 1);
}

export function objectEventView(record: Record<string, unknown>, time?: number): EventView {
  let kw: string[] | null = null;
  return {
    record,
    get(field: string): unknown {
      if (Object.prototype.hasOwnProperty.call(record, field)) return record[field];
      if (field.indexOf('.') < 0) return undefined;
      let cur: unknown = record;
      for (const part of field.split('.')) {
        if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
        cur = (cur as Record<string, unknown>)[part];
      }
      return cur;
    },
    keywords(): readonly string[] {
      if (kw === null) {
        kw = [];
        strings(record, kw, 0);
      }
      return kw;
    },
    time(): number {
      if (time !== undefined) return time;
      const t = record['@timestamp'];
      const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : NaN;
      return Number.isNaN(ms) ? 0 : ms;
    },
  };
}
