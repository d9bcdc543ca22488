/**
 * Per-event field cache for evaluation. Matchers read fields through here so that a field used by
 * many value tests (and by many rules evaluated on the same event) is fetched, coerced to strings
 * and lower-cased once per event, not once per test. Field names are interned to small integers
 * at compile time, so a lookup during evaluation is an array access, not a string hash.
 *
 * The cache keys on the EventView object and its record: evaluating another view (or the same
 * view over another record) starts a fresh cache. A caller that mutates a record in place between
 * evaluations must call resetEventCache().
 */
import type { EventView } from '../types.ts';

const names: string[] = [];
const ids = new Map<string, number>();

/** The interned id of a field name (compile time). */
export function fieldId(name: string): number {
  let id = ids.get(name);
  if (id === undefined) {
    id = names.length;
    names.push(name);
    ids.set(name, id);
    grow(id + 1);
  }
  return id;
}

let rawGen = new Uint32Array(64);
let strGen = new Uint32Array(64);
let lowGen = new Uint32Array(64);
const raws: unknown[] = [];
const strs: (string[] | null)[] = [];
const lows: (string[] | null)[] = [];

function grow(n: number): void {
  if (n <= rawGen.length) return;
  const size = Math.max(n, rawGen.length * 2);
  const g1 = new Uint32Array(size);
  g1.set(rawGen);
  rawGen = g1;
  const g2 = new Uint32Array(size);
  g2.set(strGen);
  strGen = g2;
  const g3 = new Uint32Array(size);
  g3.set(lowGen);
  lowGen = g3;
}

let gen = 1;
let curEvent: EventView | null = null;
let curRecord: unknown = undefined;
let kwRaw: readonly string[] | null = null;
let kwLow: string[] | null = null;

function nextGeneration(): void {
  if (++gen >= 0xfffffff0) {
    rawGen.fill(0);
    strGen.fill(0);
    lowGen.fill(0);
    gen = 1;
  }
}

/** Forget everything cached about the current event. */
export function resetEventCache(): void {
  curEvent = null;
  curRecord = undefined;
  kwRaw = null;
  kwLow = null;
  raws.length = 0;
  strs.length = 0;
  lows.length = 0;
  nextGeneration();
}

function enter(ev: EventView): void {
  if (ev !== curEvent || ev.record !== curRecord) {
    curEvent = ev;
    curRecord = ev.record;
    kwRaw = null;
    kwLow = null;
    nextGeneration();
  }
}

/** The field's value as EventView.get returns it (undefined: absent; null: present and null). */
export function rawById(ev: EventView, id: number): unknown {
  enter(ev);
  if (rawGen[id] !== gen) {
    raws[id] = ev.get(names[id]!);
    rawGen[id] = gen;
  }
  return raws[id];
}

export function rawValue(ev: EventView, field: string): unknown {
  return rawById(ev, fieldId(field));
}

/** String form of a scalar (strings as is, numbers and booleans as text); null for anything else. */
export function scalarString(v: unknown): string | null {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return null;
  }
}

function collect(v: unknown, out: string[], depth: number): void {
  if (Array.isArray(v)) {
    if (depth > 4) return;
    for (const x of v) collect(x, out, depth + 1);
    return;
  }
  const s = scalarString(v);
  if (s !== null) out.push(s);
}

/**
 * The field's string forms: one for a scalar, one per scalar element for an array (any element
 * may match). Null when the field is absent, null, or holds no scalar. Lower-cased when asked.
 */
export function stringsById(ev: EventView, id: number, lower: boolean): readonly string[] | null {
  const raw = rawById(ev, id);
  if (strGen[id] !== gen) {
    let out: string[] | null;
    if (typeof raw === 'string') out = [raw];
    else if (raw === undefined || raw === null) out = null;
    else {
      out = [];
      collect(raw, out, 0);
      if (out.length === 0) out = null;
    }
    strs[id] = out;
    strGen[id] = gen;
  }
  if (!lower) return strs[id]!;
  if (lowGen[id] !== gen) {
    const s = strs[id]!;
    if (s === null) lows[id] = null;
    else if (s.length === 1) lows[id] = [s[0]!.toLowerCase()];
    else lows[id] = s.map((x) => x.toLowerCase());
    lowGen[id] = gen;
  }
  return lows[id]!;
}

export function fieldStrings(ev: EventView, field: string, lower: boolean): readonly string[] | null {
  return stringsById(ev, fieldId(field), lower);
}

/** The event's keyword strings (EventView.keywords()), lower-cased when asked. */
export function keywordStrings(ev: EventView, lower: boolean): readonly string[] {
  enter(ev);
  if (kwRaw === null) kwRaw = ev.keywords();
  if (!lower) return kwRaw;
  if (kwLow === null) kwLow = kwRaw.map((x) => x.toLowerCase());
  return kwLow;
}
