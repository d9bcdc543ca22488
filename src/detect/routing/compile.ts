/**
 * A routing configuration compiled for use: field mappings as resolvers with cached path lists,
 * branch conditions as checked predicates, and logsource resolution (which mapping entries, and
 * so which branches, a rule's logsource means). See config.ts for the semantics.
 */
import type { Logsource } from '../types.ts';
import type { BranchConfig, ConditionScalar, ConditionSpec, LogsourceMappingConfig, RoutingConfig } from './config.ts';
import { validateRoutingConfig } from './config.ts';
import { DEFAULT_ROUTING } from './default.ts';

// ---------------------------------------------------------------------------------------------
// Paths

/** A path into the event: its segments (a segment may itself contain dots: a literal key). */
export type Path = readonly string[];

/** Own property only: JSON values are never functions, so inherited members never leak through. */
function own(o: Record<string, unknown>, k: string): unknown {
  const v = o[k];
  if (v === undefined || (typeof v !== 'function' && k !== '__proto__')) return v;
  return Object.hasOwn(o, k) ? v : undefined;
}

/** Read a path of own properties; undefined when absent or when it crosses a non-object. */
export function readPath(root: unknown, path: Path): unknown {
  let cur = root;
  for (let i = 0; i < path.length; i++) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = own(cur as Record<string, unknown>, path[i]);
  }
  return cur;
}

const pathCache = new Map<string, Path>();
/** `a.b.c` → ['a', 'b', 'c'], interned. */
export function splitPath(path: string): Path {
  let p = pathCache.get(path);
  if (p === undefined) {
    p = Object.freeze(path.split('.'));
    if (pathCache.size < 65536) pathCache.set(path, p);
  }
  return p;
}

/** Reads several paths of one event at once into `out` (in the order the paths were given). */
export type MultiReader = (event: unknown, out: unknown[]) => void;

const UNSAFE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

/**
 * A reader for a fixed set of paths. Paths sharing a prefix walk it once. The reader is generated
 * code (property names embedded as string literals, so each access gets its own inline cache,
 * which makes it several times faster than a generic loop over segments); the semantics are those
 * of `readPath`. Falls back to `readPath` when code generation is not allowed or a segment names
 * a member of Object.prototype.
 */
export function compileMultiReader(paths: readonly Path[]): MultiReader {
  const generic: MultiReader = (event, out) => {
    for (let i = 0; i < paths.length; i++) out[i] = readPath(event, paths[i]);
  };
  if (paths.some((p) => p.some((seg) => UNSAFE_KEYS.has(seg)))) return generic;
  interface Node {
    children: Map<string, Node>;
    outputs: number[];
  }
  const root: Node = { children: new Map(), outputs: [] };
  paths.forEach((p, i) => {
    let n = root;
    for (const seg of p) {
      let c = n.children.get(seg);
      if (!c) n.children.set(seg, (c = { children: new Map(), outputs: [] }));
      n = c;
    }
    n.outputs.push(i);
  });
  let vars = 0;
  const lines: string[] = [];
  const undef = (n: Node): void => {
    for (const i of n.outputs) lines.push(`out[${i}] = undefined;`);
    for (const c of n.children.values()) undef(c);
  };
  const emit = (n: Node, v: string): void => {
    // v holds this node's value (any type).
    for (const i of n.outputs) lines.push(`out[${i}] = ${v};`);
    if (n.children.size === 0) return;
    lines.push(`if (typeof ${v} === 'object' && ${v} !== null && !Array.isArray(${v})) {`);
    for (const [seg, c] of n.children) {
      const w = `v${vars++}`;
      lines.push(`const ${w} = ${v}[${JSON.stringify(seg)}];`);
      emit(c, w);
    }
    lines.push('} else {');
    for (const c of n.children.values()) undef(c);
    lines.push('}');
  };
  emit(root, 'event');
  try {
    return new Function('event', 'out', `'use strict';\n${lines.join('\n')}`) as MultiReader;
  } catch {
    return generic;
  }
}

// ---------------------------------------------------------------------------------------------
// Field mappings

/**
 * How Sigma field names read one kind of event: fieldset map and prefixes, branch renames, and
 * the fallbacks. `paths(name)` is cached per name.
 */
export class FieldMapping {
  private readonly cache = new Map<string, readonly Path[]>();

  constructor(
    /** Identifies the mapping (fieldset and renames), for views shared between logsources. */
    readonly id: string,
    private readonly map: ReadonlyMap<string, readonly string[]>,
    private readonly prefixes: readonly string[],
    private readonly rename: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** The event paths `name` reads, in order: the first present value wins. */
  paths(name: string): readonly Path[] {
    let p = this.cache.get(name);
    if (p !== undefined) return p;
    const out: Path[] = [];
    const seen = new Set<string>();
    const add = (segs: Path): void => {
      const k = segs.join('\u0000');
      if (!seen.has(k)) {
        seen.add(k);
        out.push(segs);
      }
    };
    for (const n of this.rename.get(name) ?? [name]) {
      const mapped = this.map.get(n);
      if (mapped) for (const m of mapped) add(splitPath(m));
      else for (const pre of this.prefixes) add(splitPath(pre + n));
      add(['original', n]);
      if (n.includes('.')) add(['original', ...splitPath(n)]);
      add(splitPath(n));
    }
    p = Object.freeze(out);
    if (this.cache.size < 16384) this.cache.set(name, p);
    return p;
  }

  /** The value `name` reads from `event`: the first path that is present (null counts as present). */
  read(event: unknown, name: string): unknown {
    const paths = this.paths(name);
    for (let i = 0; i < paths.length; i++) {
      const v = readPath(event, paths[i]);
      if (v !== undefined) return v;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Conditions

export type ConditionKind = 'eq' | 'not' | 'exists' | 'startswith';

export interface CompiledCondition {
  path: string;
  segs: Path;
  kind: ConditionKind;
  /** eq / not: lower-cased values; startswith: lower-cased prefixes. */
  values: readonly string[];
  /** exists: whether the path must be present. */
  present: boolean;
  /** eq / not: the values as configured (original case), for exact-case lookups. */
  rawValues?: readonly string[];
}

const scalarText = (v: ConditionScalar): string => String(v).toLowerCase();

function compileCondition(path: string, spec: ConditionSpec): CompiledCondition {
  const segs = splitPath(path);
  if (Array.isArray(spec)) return { path, segs, kind: 'eq', values: spec.map(scalarText), present: true, rawValues: spec.map(String) };
  if (typeof spec === 'object' && spec !== null) {
    if ('exists' in spec) return { path, segs, kind: 'exists', values: [], present: spec.exists };
    if ('not' in spec) {
      const v = spec.not;
      const list = Array.isArray(v) ? v : [v];
      return { path, segs, kind: 'not', values: list.map(scalarText), present: false, rawValues: list.map(String) };
    }
    const v = spec.startswith;
    return { path, segs, kind: 'startswith', values: (Array.isArray(v) ? v : [v]).map((x) => x.toLowerCase()), present: true };
  }
  return { path, segs, kind: 'eq', values: [scalarText(spec)], present: true, rawValues: [String(spec)] };
}

/** A scalar event value as comparable text, or null for absent / null / objects. */
export function valueText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return null;
}

/** Evaluate one condition directly against an event (the router's slow path and residual checks). */
export function testCondition(c: CompiledCondition, event: unknown): boolean {
  const v = readPath(event, c.segs);
  const present = v !== undefined && v !== null;
  if (c.kind === 'exists') return present === c.present;
  if (!present) return c.kind === 'not';
  const items = Array.isArray(v) ? v : [v];
  if (c.kind === 'not') {
    for (const it of items) {
      const t = valueText(it);
      if (t !== null && c.values.includes(t.toLowerCase())) return false;
    }
    return true;
  }
  for (const it of items) {
    const t = valueText(it);
    if (t === null) continue;
    const low = t.toLowerCase();
    if (c.kind === 'eq') {
      if (c.values.includes(low)) return true;
    } else {
      for (const pre of c.values) if (low.startsWith(pre)) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Branches and logsource resolution

export interface CompiledBranch {
  /** All must hold. */
  conditions: readonly CompiledCondition[];
  fields: FieldMapping;
  /** Mapping entry ids this branch comes from (several when entries were combined). */
  entries: readonly string[];
}

export type LogsourceResolution =
  | { ok: true; branches: readonly CompiledBranch[]; entries: readonly string[] }
  | { ok: false; reason: string };

const LS_FIELDS = ['product', 'category', 'service'] as const;
type LsField = (typeof LS_FIELDS)[number];

const norm = (v: string | undefined): string | undefined => {
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toLowerCase();
  return t.length > 0 ? t : undefined;
};

/** Canonical key of a logsource: `product/category/service`, `*` for unset parts (lower case). */
export function logsourceKey(ls: Logsource): string {
  return `${norm(ls.product) ?? '*'}/${norm(ls.category) ?? '*'}/${norm(ls.service) ?? '*'}`;
}

/** `product: windows, category: file_access` */
export function describeLogsource(ls: Logsource): string {
  const parts: string[] = [];
  for (const f of LS_FIELDS) {
    const v = norm(ls[f]);
    if (v) parts.push(`${f}: ${v}`);
  }
  return parts.length > 0 ? parts.join(', ') : '(empty)';
}

interface Entry {
  config: LogsourceMappingConfig;
  sets: Record<LsField, string | undefined>;
  branches: CompiledBranch[];
}

const MAX_COMBINED_BRANCHES = 256;

export class CompiledRouting {
  readonly config: RoutingConfig;
  private readonly entries: Entry[];
  private readonly mappings = new Map<string, FieldMapping>();
  private readonly fieldsets: Map<string, { map: Map<string, string[]>; prefixes: string[] }>;

  constructor(config: RoutingConfig) {
    this.config = config;
    this.fieldsets = new Map();
    const raw = config.fieldsets ?? {};
    const build = (name: string, depth: number): { map: Map<string, string[]>; prefixes: string[] } => {
      const have = this.fieldsets.get(name);
      if (have) return have;
      const fs = raw[name];
      const base = fs?.extends && depth < 16 ? build(fs.extends, depth + 1) : { map: new Map<string, string[]>(), prefixes: [] };
      const map = new Map(base.map);
      for (const [k, v] of Object.entries(fs?.map ?? {})) map.set(k, Array.isArray(v) ? v.slice() : [v]);
      const out = { map, prefixes: fs?.prefixes ? fs.prefixes.slice() : base.prefixes.slice() };
      this.fieldsets.set(name, out);
      return out;
    };
    for (const name of Object.keys(raw)) build(name, 0);

    this.entries = config.logsources.map((ls) => ({
      config: ls,
      sets: { product: norm(ls.product), category: norm(ls.category), service: norm(ls.service) },
      branches: ls.when.map((b) => this.compileBranch(ls, b)),
    }));
  }

  private compileBranch(ls: LogsourceMappingConfig, b: BranchConfig): CompiledBranch {
    const conditions = Object.entries(b.conditions).map(([path, spec]) => compileCondition(path, spec));
    const fieldset = b.fields ?? ls.fields ?? (ls.product && this.fieldsets.has(ls.product) ? ls.product : undefined);
    return { conditions, fields: this.fieldMapping(fieldset, b.rename), entries: [ls.id] };
  }

  /** The field mapping of a fieldset (undefined: fallbacks only) with renames; interned. */
  fieldMapping(fieldset: string | undefined, rename?: Record<string, string | string[]>): FieldMapping {
    const renameList = Object.entries(rename ?? {})
      .map(([k, v]): [string, string[]] => [k, Array.isArray(v) ? v.slice() : [v]])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const id = `${fieldset ?? ''}|${JSON.stringify(renameList)}`;
    let m = this.mappings.get(id);
    if (!m) {
      const fs = fieldset !== undefined ? this.fieldsets.get(fieldset) : undefined;
      if (fieldset !== undefined && !fs) throw new Error(`unknown fieldset '${fieldset}'`);
      m = new FieldMapping(id, fs?.map ?? new Map(), fs?.prefixes ?? [], new Map(renameList));
      this.mappings.set(id, m);
    }
    return m;
  }

  /** Which branches a rule's logsource means (pySigma matching; see config.ts), or why none. */
  resolve(ls: Logsource): LogsourceResolution {
    const want: Record<LsField, string | undefined> = { product: norm(ls.product), category: norm(ls.category), service: norm(ls.service) };
    const label = `logsource ${logsourceKey(ls)} (${describeLogsource(ls)})`;
    if (!want.product && !want.category && !want.service) return { ok: false, reason: `${label} is empty` };
    const applying = this.entries.filter((e) => LS_FIELDS.every((f) => e.sets[f] === undefined || e.sets[f] === want[f]));
    if (applying.length === 0) return { ok: false, reason: `${label} has no mapping` };
    const setOf = (e: Entry): LsField[] => LS_FIELDS.filter((f) => e.sets[f] !== undefined);
    const maximal = applying.filter((e) => {
      const mine = setOf(e);
      return !applying.some((o) => {
        if (o === e) return false;
        const theirs = setOf(o);
        return theirs.length > mine.length && mine.every((f) => theirs.includes(f));
      });
    });
    // Entries that set the same fields are alternatives (e.g. two entries for one service): OR them.
    const groups = new Map<string, Entry[]>();
    for (const e of maximal) {
      const k = setOf(e).join(',');
      const g = groups.get(k);
      if (g) g.push(e);
      else groups.set(k, [e]);
    }
    const missing = LS_FIELDS.filter((f) => want[f] !== undefined && !maximal.some((e) => e.sets[f] !== undefined));
    if (missing.length > 0) {
      const near = maximal.map((e) => e.config.id).join(', ');
      return { ok: false, reason: `${label} has no mapping (no entry for its ${missing.join(' and ')}; nearest: ${near})` };
    }
    // The event must satisfy every group (AND), any branch within a group (OR).
    let combined: CompiledBranch[] | null = null;
    for (const g of groups.values()) {
      const alternatives = g.flatMap((e) => e.branches);
      if (combined === null) {
        combined = alternatives.slice();
        continue;
      }
      const next: CompiledBranch[] = [];
      for (const a of combined) {
        for (const b of alternatives) {
          const merged = mergeBranches(a, b);
          if (merged) next.push(merged);
          if (next.length > MAX_COMBINED_BRANCHES) {
            return { ok: false, reason: `${label}: combining ${maximal.map((e) => e.config.id).join(' and ')} gives too many branches` };
          }
        }
      }
      combined = next;
    }
    if (!combined || combined.length === 0) {
      return { ok: false, reason: `${label}: the mappings ${maximal.map((e) => e.config.id).join(' and ')} exclude each other` };
    }
    return { ok: true, branches: combined, entries: maximal.map((e) => e.config.id) };
  }
}

/** Both branches at once: conditions conjoined (null when they contradict), the first's fields. */
function mergeBranches(a: CompiledBranch, b: CompiledBranch): CompiledBranch | null {
  for (const ca of a.conditions) {
    for (const cb of b.conditions) {
      if (ca.path !== cb.path) continue;
      if (ca.kind === 'eq' && cb.kind === 'eq' && !ca.values.some((v) => cb.values.includes(v))) return null;
      if (ca.kind === 'exists' && cb.kind === 'exists' && ca.present !== cb.present) return null;
      if (ca.kind === 'eq' && cb.kind === 'not' && ca.values.every((v) => cb.values.includes(v))) return null;
      if (ca.kind === 'not' && cb.kind === 'eq' && cb.values.every((v) => ca.values.includes(v))) return null;
    }
  }
  return { conditions: [...a.conditions, ...b.conditions], fields: a.fields, entries: [...a.entries, ...b.entries] };
}

/** Check (when not already typed) and compile a routing configuration. Throws RoutingConfigError. */
export function compileRouting(config: RoutingConfig | unknown = DEFAULT_ROUTING): CompiledRouting {
  return new CompiledRouting(validateRoutingConfig(config));
}

let defaultRouting: CompiledRouting | null = null;
/** The compiled default configuration (built once). */
export function defaultCompiledRouting(): CompiledRouting {
  if (!defaultRouting) defaultRouting = compileRouting(DEFAULT_ROUTING);
  return defaultRouting;
}
