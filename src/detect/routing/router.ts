/**
 * Router: which of the rules' logsources an event belongs to, in roughly constant time.
 *
 * Every event path that some branch condition names is a discriminator (with the default
 * configuration: winlog.channel, winlog.event_id, winlog.event_data.EventType, log.syslog,
 * log.syslog.appname, log.syslog.facility.name, event.module, event.dataset, event.category, ...).
 * Per event each discriminator's value is reduced to a small code: 0 absent, 1 present but not a
 * value any condition names, 2+i the i-th named value (compared case-insensitively). The codes
 * form a signature (one number), and the signature → route table is filled lazily: the first
 * event of each signature evaluates the branches, later ones take a Map lookup. Conditions the
 * codes cannot decide (`startswith`) are re-checked per event on the few branches that reach
 * them. An array value naming two different known values cannot be coded; such an event takes
 * the direct path (every branch evaluated), which is exact but slower.
 *
 * Logsources no mapping knows are listed in `unsupported` with the reason, never dropped silently.
 */
import type { VigilEvent } from '../../core/index.ts';
import type { Logsource } from '../types.ts';
import {
  compileMultiReader, logsourceKey, testCondition, valueText, type CompiledBranch, type CompiledCondition, type CompiledRouting,
  type FieldMapping, type MultiReader, type Path,
} from './compile.ts';

/** One logsource an event belongs to, with the field mapping of the branch it matched. */
export interface RouteTarget {
  /** Logsource key (`product/category/service`). */
  readonly key: string;
  /** Position of the key in `Router.keys`. */
  readonly slot: number;
  readonly logsource: Logsource;
  readonly fields: FieldMapping;
  /** Mapping entries of the branch. */
  readonly entries: readonly string[];
}

export interface UnsupportedLogsource {
  key: string;
  logsource: Logsource;
  reason: string;
}

interface Discriminator {
  segs: Path;
  exact: Map<string, number>;
  lower: Map<string, number>;
  mult: number;
  /** Spellings added to `exact` from events (unknown values and other cases), bounded. */
  learned: number;
}

interface CodedCondition {
  cond: CompiledCondition;
  disc: number;
  /** Codes that satisfy eq / fail not. */
  codes: ReadonlySet<number>;
}

interface Branch {
  target: RouteTarget;
  coded: CodedCondition[];
  /** Conditions re-checked per event. */
  residual: CompiledCondition[];
  all: readonly CompiledCondition[];
}

interface Slot {
  fixed: readonly RouteTarget[];
  /** Per logsource whose first passing branch needs a per-event check: its candidate branches in order. */
  residual: Branch[][] | null;
}

const EMPTY: readonly RouteTarget[] = Object.freeze([]);
const AMBIGUOUS = -1;
const MAX_SLOTS = 8192;
const MAX_LEARNED = 4096;

export class Router {
  /** Supported logsource keys, in first-seen order. */
  readonly keys: readonly string[];
  readonly unsupported: readonly UnsupportedLogsource[];
  private readonly byKey: Map<string, Branch[]>;
  private readonly discs: Discriminator[];
  private readonly numeric: boolean;
  private readonly codes: Int32Array;
  private readonly values: unknown[];
  private readonly read: MultiReader;
  private readonly slots = new Map<number | string, Slot>();

  constructor(routing: CompiledRouting, logsources: Iterable<Logsource>) {
    const keys: string[] = [];
    const unsupported: UnsupportedLogsource[] = [];
    const resolved: Array<{ key: string; ls: Logsource; branches: readonly CompiledBranch[] }> = [];
    const seen = new Set<string>();
    for (const ls of logsources) {
      const key = logsourceKey(ls);
      if (seen.has(key)) continue;
      seen.add(key);
      const r = routing.resolve(ls);
      const clean: Logsource = {};
      for (const f of ['product', 'category', 'service'] as const) if (ls[f]) clean[f] = ls[f];
      if (!r.ok) unsupported.push({ key, logsource: clean, reason: r.reason });
      else {
        keys.push(key);
        resolved.push({ key, ls: clean, branches: r.branches });
      }
    }
    this.keys = keys;
    this.unsupported = unsupported;

    // Discriminators: every condition path; known values: those eq / not conditions name.
    const discIndex = new Map<string, number>();
    const discs: Discriminator[] = [];
    for (const r of resolved) {
      for (const b of r.branches) {
        for (const c of b.conditions) {
          let d = discIndex.get(c.path);
          if (d === undefined) {
            d = discs.length;
            discIndex.set(c.path, d);
            discs.push({ segs: c.segs, exact: new Map(), lower: new Map(), mult: 0, learned: 0 });
          }
          if (c.kind === 'eq' || c.kind === 'not') {
            const disc = discs[d];
            for (const v of c.values) if (!disc.lower.has(v)) disc.lower.set(v, disc.lower.size + 2);
          }
        }
      }
    }
    // Exact-case spellings from the configuration (events usually carry these): one lookup, no lower-casing.
    for (const r of resolved) {
      for (const b of r.branches) {
        for (const c of b.conditions) {
          if (c.kind !== 'eq' && c.kind !== 'not') continue;
          const disc = discs[discIndex.get(c.path) as number];
          for (const raw of c.rawValues ?? []) disc.exact.set(raw, disc.lower.get(raw.toLowerCase()) as number);
        }
      }
    }
    let mult = 1;
    let numeric = true;
    for (const d of discs) {
      d.mult = mult;
      mult *= d.lower.size + 2;
      if (mult > Number.MAX_SAFE_INTEGER / 4) numeric = false;
    }
    this.discs = discs;
    this.numeric = numeric;
    this.codes = new Int32Array(discs.length);
    this.values = new Array(discs.length).fill(undefined);
    this.read = compileMultiReader(discs.map((d) => d.segs));

    this.byKey = new Map();
    resolved.forEach((r, slot) => {
      const branches: Branch[] = r.branches.map((b) => {
        const target: RouteTarget = Object.freeze({ key: r.key, slot, logsource: r.ls, fields: b.fields, entries: b.entries });
        const coded: CodedCondition[] = [];
        const residual: CompiledCondition[] = [];
        for (const c of b.conditions) {
          const d = discIndex.get(c.path) as number;
          const codes = new Set<number>();
          if (c.kind === 'eq' || c.kind === 'not') for (const v of c.values) codes.add(discs[d].lower.get(v) as number);
          coded.push({ cond: c, disc: d, codes });
          if (c.kind === 'startswith') residual.push(c);
        }
        return { target, coded, residual, all: b.conditions };
      });
      this.byKey.set(r.key, branches);
    });
  }

  /** The logsource keys `event` belongs to. */
  route(event: VigilEvent): string[] {
    return this.targets(event).map((t) => t.key);
  }

  /** The logsources `event` belongs to, each with the field mapping of its branch. Do not modify the result. */
  targets(event: VigilEvent): readonly RouteTarget[] {
    const discs = this.discs;
    const codes = this.codes;
    const values = this.values;
    this.read(event, values);
    let sig = 0;
    for (let i = 0; i < discs.length; i++) {
      const c = code(discs[i], values[i]);
      if (c === AMBIGUOUS) return this.direct(event);
      codes[i] = c;
      sig += c * discs[i].mult;
    }
    const key: number | string = this.numeric ? sig : Array.prototype.join.call(codes, ',');
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.buildSlot(codes);
      if (this.slots.size >= MAX_SLOTS) this.slots.clear();
      this.slots.set(key, slot);
    }
    if (slot.residual === null) return slot.fixed;
    const out = slot.fixed.slice();
    for (const options of slot.residual) {
      for (const b of options) {
        if (b.residual.every((c) => testCondition(c, event))) {
          out.push(b.target);
          break;
        }
      }
    }
    return out;
  }

  private buildSlot(codes: Int32Array): Slot {
    const fixed: RouteTarget[] = [];
    let residual: Branch[][] | null = null;
    for (const branches of this.byKey.values()) {
      const options: Branch[] = [];
      for (const b of branches) {
        if (!b.coded.every((cc) => codedPasses(cc, codes[cc.disc]))) continue;
        options.push(b);
        if (b.residual.length === 0) break;
      }
      if (options.length === 0) continue;
      if (options.length === 1 && options[0].residual.length === 0) fixed.push(options[0].target);
      else (residual ??= []).push(options);
    }
    return { fixed: fixed.length > 0 ? Object.freeze(fixed) : EMPTY, residual };
  }

  /** Every branch evaluated directly (events whose discriminators cannot be coded). */
  private direct(event: VigilEvent): RouteTarget[] {
    const out: RouteTarget[] = [];
    for (const branches of this.byKey.values()) {
      for (const b of branches) {
        if (b.all.every((c) => testCondition(c, event))) {
          out.push(b.target);
          break;
        }
      }
    }
    return out;
  }

  /** For reports: discriminator paths and cached signatures. */
  stats(): { discriminators: string[]; signatures: number; keys: number; unsupported: number } {
    return {
      discriminators: this.discs.map((d) => d.segs.join('.')),
      signatures: this.slots.size,
      keys: this.keys.length,
      unsupported: this.unsupported.length,
    };
  }
}

function codedPasses(cc: CodedCondition, code: number): boolean {
  switch (cc.cond.kind) {
    case 'exists':
      return (code !== 0) === cc.cond.present;
    case 'eq':
      return cc.codes.has(code);
    case 'not':
      return !cc.codes.has(code);
    case 'startswith':
      return code !== 0;
  }
}

function codeOf(d: Discriminator, v: unknown): number {
  // Only presence matters for a path no eq / not condition names (exists, startswith).
  if (d.lower.size === 0) return 1;
  if (typeof v === 'string') {
    const c = d.exact.get(v);
    if (c !== undefined) return c;
    const r = d.lower.get(v.toLowerCase()) ?? 1;
    // Remember this spelling: most discriminators see a handful of distinct values.
    if (d.learned < MAX_LEARNED && v.length <= 256) {
      d.exact.set(v, r);
      d.learned++;
    }
    return r;
  }
  const t = valueText(v);
  if (t === null) return 1;
  return d.lower.get(t.toLowerCase()) ?? 1;
}

/** A value's code: 0 absent, 1 other, 2+ a named value; AMBIGUOUS for arrays naming two values. */
function code(d: Discriminator, v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (!Array.isArray(v)) return codeOf(d, v);
  let found = 1;
  for (let i = 0; i < v.length; i++) {
    const c = codeOf(d, v[i]);
    if (c > 1) {
      if (found > 1 && found !== c) return AMBIGUOUS;
      found = c;
    }
  }
  return found;
}
