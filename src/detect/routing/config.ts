/**
 * Logsource routing and field mapping as configuration, in the spirit of pySigma processing
 * pipelines: which events a Sigma logsource means, and which event path each Sigma field reads.
 *
 * ```yaml
 * fieldsets:
 *   windows:
 *     prefixes: [winlog.event_data.]          # a name the map lacks: winlog.event_data.<name> first
 *     map:
 *       EventID: winlog.event_id
 *       Channel: winlog.channel
 * logsources:
 *   - id: windows/process_creation
 *     product: windows
 *     category: process_creation
 *     fields: windows                          # default fieldset of the branches
 *     when:                                    # any branch
 *       - conditions:                          # all conditions
 *           winlog.channel: Microsoft-Windows-Sysmon/Operational
 *           winlog.event_id: 1
 *       - conditions: { winlog.channel: Security, winlog.event_id: 4688 }
 *         rename: { Image: NewProcessName, ParentImage: ParentProcessName }
 * ```
 *
 * Conditions name event paths (dotted, as in the normalised event; `original.X` is the record as
 * received). A value is compared as a string, case-insensitively; a list means any of them.
 * Object forms: `{ exists: true|false }`, `{ not: value | [values] }` (absent passes),
 * `{ startswith: prefix | [prefixes] }`. An array-valued event field satisfies an equality when
 * one of its elements does.
 *
 * Field resolution for a Sigma field name N in a branch: N' = rename[N] ?? N (a rename may list
 * several names: the first present wins); then the fieldset's `map[N']` (a path or a list of
 * paths, the first present wins) or, when the map lacks N', `<prefix>N'` for each prefix; then
 * always `original.<N'>` (the received record's own key, then as a dotted path) and `<N'>` as a
 * dotted path of the event. `extends` copies another fieldset's map and prefixes first.
 *
 * Logsource matching follows pySigma: a mapping entry applies to a rule's logsource when every
 * one of product / category / service the entry sets equals the rule's. Of the entries that
 * apply, the most specific are used (an entry is dropped when another applying entry sets a
 * superset of its fields); when several remain, the event must satisfy all of them (their branch
 * lists are combined). A rule whose logsource sets a field that none of the used entries sets has
 * no mapping (a broader entry would hand it events it was not written for) and is reported.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

export type ConditionScalar = string | number | boolean;

export type ConditionSpec =
  | ConditionScalar
  | ConditionScalar[]
  | { exists: boolean }
  | { not: ConditionScalar | ConditionScalar[] }
  | { startswith: string | string[] };

export interface BranchConfig {
  /** Event path → condition; all must hold. An empty map selects every event. */
  conditions: Record<string, ConditionSpec>;
  /** Fieldset of this branch (default: the logsource's). */
  fields?: string;
  /** Sigma field name → the field name (or names, first present wins) it reads in these events. */
  rename?: Record<string, string | string[]>;
}

export interface LogsourceMappingConfig {
  /** Unique name, used in messages and to replace an entry when configurations are merged. */
  id: string;
  product?: string;
  category?: string;
  service?: string;
  /** Default fieldset of the branches. */
  fields?: string;
  /** An event belongs to this logsource when it satisfies any branch. */
  when: BranchConfig[];
  /** Free text for people. */
  description?: string;
}

export interface FieldsetConfig {
  /** Start from this fieldset's prefixes and map. */
  extends?: string;
  /** Tried in order for a name the map lacks: `winlog.event_data.` → `winlog.event_data.<name>`. */
  prefixes?: string[];
  /** Sigma field name → event path, or paths tried in order (the first present wins). */
  map?: Record<string, string | string[]>;
}

export interface RoutingConfig {
  fieldsets?: Record<string, FieldsetConfig>;
  logsources: LogsourceMappingConfig[];
}

export interface RoutingProblem {
  /** Dotted path of the key at fault, e.g. `logsources.3.when.0.conditions.winlog.channel`. */
  path: string;
  message: string;
}

export class RoutingConfigError extends Error {
  constructor(
    readonly problems: RoutingProblem[],
    readonly file?: string,
  ) {
    super(`${file ?? 'routing configuration'}: ${problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`);
    this.name = 'RoutingConfigError';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is ConditionScalar =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';
const join = (base: string, key: string | number): string => (base ? `${base}.${key}` : String(key));

function unknownKeys(o: Record<string, unknown>, allowed: readonly string[], path: string, out: RoutingProblem[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) out.push({ path: join(path, k), message: 'unknown key' });
}

function checkString(v: unknown, path: string, out: RoutingProblem[], required = false): void {
  if (v === undefined) {
    if (required) out.push({ path, message: 'required' });
    return;
  }
  if (typeof v !== 'string' || v.length === 0) out.push({ path, message: 'must be a non-empty string' });
}

function checkStringOrList(v: unknown, path: string, out: RoutingProblem[]): void {
  if (typeof v === 'string' && v.length > 0) return;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.length > 0)) return;
  out.push({ path, message: 'must be a non-empty string or a non-empty list of them' });
}

function checkCondition(v: unknown, path: string, out: RoutingProblem[]): void {
  if (isScalar(v)) return;
  if (Array.isArray(v)) {
    if (v.length === 0) out.push({ path, message: 'must not be an empty list' });
    v.forEach((x, i) => {
      if (!isScalar(x)) out.push({ path: join(path, i), message: 'must be a string, number or boolean' });
    });
    return;
  }
  if (isObj(v)) {
    const keys = Object.keys(v);
    if (keys.length !== 1) {
      out.push({ path, message: 'must have exactly one of exists, not, startswith' });
      return;
    }
    const k = keys[0];
    const x = v[k];
    if (k === 'exists') {
      if (typeof x !== 'boolean') out.push({ path: join(path, k), message: 'must be true or false' });
    } else if (k === 'not') {
      if (!isScalar(x) && !(Array.isArray(x) && x.length > 0 && x.every(isScalar))) {
        out.push({ path: join(path, k), message: 'must be a value or a non-empty list of values' });
      }
    } else if (k === 'startswith') checkStringOrList(x, join(path, k), out);
    else out.push({ path: join(path, k), message: 'unknown condition (use exists, not or startswith)' });
    return;
  }
  out.push({ path, message: 'must be a value, a list of values, or { exists | not | startswith }' });
}

/**
 * Every problem of a raw (parsed) routing configuration, each with its path under `base`
 * (e.g. `detection.routing` when embedded in vigil.yaml).
 */
export function checkRoutingConfig(raw: unknown, base = ''): RoutingProblem[] {
  const out: RoutingProblem[] = [];
  if (!isObj(raw)) return [{ path: base, message: 'must be a mapping' }];
  unknownKeys(raw, ['fieldsets', 'logsources'], base, out);

  const fieldsetNames = new Set<string>();
  if (raw.fieldsets !== undefined) {
    const fp = join(base, 'fieldsets');
    if (!isObj(raw.fieldsets)) out.push({ path: fp, message: 'must be a mapping of name → fieldset' });
    else {
      for (const name of Object.keys(raw.fieldsets)) fieldsetNames.add(name);
      for (const [name, fs] of Object.entries(raw.fieldsets)) {
        const p = join(fp, name);
        if (!isObj(fs)) {
          out.push({ path: p, message: 'must be a mapping' });
          continue;
        }
        unknownKeys(fs, ['extends', 'prefixes', 'map'], p, out);
        if (fs.extends !== undefined) {
          checkString(fs.extends, join(p, 'extends'), out);
          if (typeof fs.extends === 'string' && !fieldsetNames.has(fs.extends)) {
            out.push({ path: join(p, 'extends'), message: `unknown fieldset '${fs.extends}'` });
          }
        }
        if (fs.prefixes !== undefined) {
          if (!Array.isArray(fs.prefixes)) out.push({ path: join(p, 'prefixes'), message: 'must be a list of strings' });
          else fs.prefixes.forEach((x, i) => checkString(x, join(join(p, 'prefixes'), i), out));
        }
        if (fs.map !== undefined) {
          if (!isObj(fs.map)) out.push({ path: join(p, 'map'), message: 'must be a mapping of Sigma field → path(s)' });
          else for (const [k, v] of Object.entries(fs.map)) checkStringOrList(v, join(join(p, 'map'), k), out);
        }
      }
      // extends cycles
      for (const name of fieldsetNames) {
        const seen = new Set<string>();
        let cur: string | undefined = name;
        while (cur !== undefined && !seen.has(cur)) {
          seen.add(cur);
          const fs: unknown = (raw.fieldsets as Record<string, unknown>)[cur];
          cur = isObj(fs) && typeof fs.extends === 'string' ? fs.extends : undefined;
        }
        if (cur !== undefined && cur === name) out.push({ path: join(join(fp, name), 'extends'), message: 'extends itself (cycle)' });
      }
    }
  }

  const lp = join(base, 'logsources');
  if (raw.logsources === undefined) out.push({ path: lp, message: 'required' });
  else if (!Array.isArray(raw.logsources)) out.push({ path: lp, message: 'must be a list' });
  else {
    const ids = new Map<string, number>();
    raw.logsources.forEach((ls, i) => {
      const p = join(lp, i);
      if (!isObj(ls)) {
        out.push({ path: p, message: 'must be a mapping' });
        return;
      }
      unknownKeys(ls, ['id', 'product', 'category', 'service', 'fields', 'when', 'description'], p, out);
      checkString(ls.id, join(p, 'id'), out, true);
      if (typeof ls.id === 'string') {
        const prev = ids.get(ls.id);
        if (prev !== undefined) out.push({ path: join(p, 'id'), message: `duplicate id '${ls.id}' (also logsources.${prev})` });
        else ids.set(ls.id, i);
      }
      for (const k of ['product', 'category', 'service', 'description'] as const) checkString(ls[k], join(p, k), out);
      if (ls.product === undefined && ls.category === undefined && ls.service === undefined) {
        out.push({ path: p, message: 'needs at least one of product, category, service' });
      }
      const checkFields = (v: unknown, path: string): void => {
        checkString(v, path, out);
        if (typeof v === 'string' && !fieldsetNames.has(v)) out.push({ path, message: `unknown fieldset '${v}'` });
      };
      if (ls.fields !== undefined) checkFields(ls.fields, join(p, 'fields'));
      const wp = join(p, 'when');
      if (ls.when === undefined) out.push({ path: wp, message: 'required' });
      else if (!Array.isArray(ls.when) || ls.when.length === 0) out.push({ path: wp, message: 'must be a non-empty list of branches' });
      else {
        ls.when.forEach((b, j) => {
          const bp = join(wp, j);
          if (!isObj(b)) {
            out.push({ path: bp, message: 'must be a mapping' });
            return;
          }
          unknownKeys(b, ['conditions', 'fields', 'rename'], bp, out);
          const cp = join(bp, 'conditions');
          if (b.conditions === undefined) out.push({ path: cp, message: 'required (use {} to select every event)' });
          else if (!isObj(b.conditions)) out.push({ path: cp, message: 'must be a mapping of event path → condition' });
          else for (const [k, v] of Object.entries(b.conditions)) checkCondition(v, join(cp, k), out);
          if (b.fields !== undefined) checkFields(b.fields, join(bp, 'fields'));
          if (b.rename !== undefined) {
            if (!isObj(b.rename)) out.push({ path: join(bp, 'rename'), message: 'must be a mapping of Sigma field → field name(s)' });
            else for (const [k, v] of Object.entries(b.rename)) checkStringOrList(v, join(join(bp, 'rename'), k), out);
          }
        });
      }
    });
  }
  return out;
}

/** Validate and return the typed configuration, or throw RoutingConfigError listing every problem. */
export function validateRoutingConfig(raw: unknown, base = '', file?: string): RoutingConfig {
  const problems = checkRoutingConfig(raw, base);
  if (problems.length > 0) throw new RoutingConfigError(problems, file);
  return raw as RoutingConfig;
}

/** Parse YAML text into a checked configuration. Syntax errors name line and column. */
export function parseRoutingYaml(text: string, file?: string): RoutingConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new RoutingConfigError(
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
        message: e.message.split('\n')[0] ?? e.message,
      })),
      file,
    );
  }
  return validateRoutingConfig(doc.toJS(), '', file);
}

/** Read and check a routing configuration file. */
export function loadRoutingFile(file: string): RoutingConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RoutingConfigError([{ path: '', message: `cannot read: ${(error as Error).message}` }], file);
  }
  return parseRoutingYaml(text, file);
}

/** The default configuration shipped as YAML next to this module. */
export const DEFAULT_ROUTING_FILE = new URL('./default-logsources.yaml', import.meta.url);

/** Load the shipped default (`default-logsources.yaml`). */
export function loadDefaultRoutingFile(): RoutingConfig {
  return loadRoutingFile(fileURLToPath(DEFAULT_ROUTING_FILE));
}

/**
 * Layer `extra` over `base`: fieldsets with the same name are merged (extra's map entries and,
 * when given, prefixes win); a logsource entry with the same id replaces base's, new ids are
 * appended. Neither input is modified.
 */
export function mergeRoutingConfigs(base: RoutingConfig, extra: RoutingConfig): RoutingConfig {
  const fieldsets: Record<string, FieldsetConfig> = {};
  for (const [k, v] of Object.entries(base.fieldsets ?? {})) fieldsets[k] = structuredClone(v);
  for (const [k, v] of Object.entries(extra.fieldsets ?? {})) {
    const cur = fieldsets[k];
    if (!cur) fieldsets[k] = structuredClone(v);
    else {
      fieldsets[k] = {
        ...(v.extends ?? cur.extends ? { extends: v.extends ?? cur.extends } : {}),
        ...(v.prefixes ?? cur.prefixes ? { prefixes: structuredClone(v.prefixes ?? cur.prefixes) } : {}),
        map: { ...(cur.map ?? {}), ...structuredClone(v.map ?? {}) },
      };
    }
  }
  const logsources = base.logsources.map((l) => structuredClone(l));
  for (const l of extra.logsources) {
    const i = logsources.findIndex((x) => x.id === l.id);
    if (i >= 0) logsources[i] = structuredClone(l);
    else logsources.push(structuredClone(l));
  }
  return { fieldsets, logsources };
}
