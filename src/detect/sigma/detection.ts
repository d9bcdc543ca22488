/**
 * The detection section: search identifiers → DetectionNode trees.
 *   map           → AND of its items (`field|mods: value-or-list`; a key `|mods` is a keyword item)
 *   list of values → one keyword item (OR of the keywords, AND with `|all`)
 *   list of maps   → OR of the maps (mixed lists: each element on its own)
 *   plain value    → a keyword item
 */
import { invalid } from './errors.ts';
import { applyModifiers, type ModifierContext } from './modifiers.ts';
import type { DetectionNode, ParsedDetection } from './types.ts';
import { YNum, isObject } from './yaml.ts';

const MAX_DEPTH = 16;

function isScalar(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof YNum;
}

function item(field: string | null, modifiers: string[], value: unknown, ctx: ModifierContext, path: string): DetectionNode {
  const m = applyModifiers(field, modifiers, value, ctx, path);
  return { t: 'item', item: { field, modifiers, values: m.values, all: m.all, negated: m.negated, path } };
}

function definition(def: unknown, ctx: ModifierContext, path: string, depth: number): DetectionNode {
  if (depth > MAX_DEPTH) throw invalid('detection', path, `nested deeper than ${MAX_DEPTH} levels`);
  if (isObject(def)) {
    const keys = Object.keys(def);
    if (keys.length === 0) throw invalid('detection', path, 'empty map');
    const items = keys.map((key) => {
      const [f, ...mods] = key.split('|');
      const field = f === '' ? null : f!;
      return item(field, mods, def[key], ctx, `${path}.${key}`);
    });
    return items.length === 1 ? items[0]! : { t: 'and', items };
  }
  if (Array.isArray(def)) {
    if (def.length === 0) throw invalid('detection', path, 'empty list');
    if (def.every(isScalar)) return item(null, [], def, ctx, path);
    const items = def.map((d, i) => definition(d, ctx, `${path}[${i}]`, depth + 1));
    return items.length === 1 ? items[0]! : { t: 'or', items };
  }
  if (def === null || def === undefined) throw invalid('detection', path, 'search identifier has no value');
  return item(null, [], def, ctx, path);
}

/**
 * Parse the search identifiers of a detection (or filter) section. Keys in `reserved` (the
 * condition, the old `timeframe`, a filter's `rules`) are not identifiers.
 */
export function parseDetection(
  det: Record<string, unknown>,
  ctx: ModifierContext,
  base = 'detection',
  reserved: readonly string[] = ['condition', 'timeframe'],
): ParsedDetection {
  const identifiers = new Map<string, DetectionNode>();
  for (const [name, def] of Object.entries(det)) {
    if (reserved.includes(name)) continue;
    identifiers.set(name, definition(def, ctx, `${base}.${name}`, 0));
  }
  if (identifiers.size === 0) throw invalid('detection', base, 'no search identifiers');
  return { identifiers };
}
