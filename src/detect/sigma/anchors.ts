/**
 * Anchor-set algebra (DESIGN.md section 10). An anchor set is a disjunction of literals: if the
 * expression matches, at least one of them occurs (lower-cased) in its field's value (field null:
 * in one of the event's keyword strings). null means "no literal is required".
 *   AND: any child's set is valid; take the most selective (longest shortest literal, then fewest).
 *   OR:  the union of the children's sets; null when any child is null.
 *   NOT: null.
 */
import type { Anchor } from '../types.ts';

export type AnchorSet = Anchor[] | null;

/** Sets larger than this are treated as "no anchor" (they would not prefilter anything useful). */
export const MAX_ANCHORS = 1024;

export function minLiteral(set: Anchor[]): number {
  let m = Infinity;
  for (const a of set) if (a.literal.length < m) m = a.literal.length;
  return m;
}

/** Is `a` a more selective set than `b`? */
function better(a: Anchor[], b: Anchor[]): boolean {
  const ma = minLiteral(a);
  const mb = minLiteral(b);
  if (ma !== mb) return ma > mb;
  return a.length < b.length;
}

/** AND of children. */
export function best(sets: AnchorSet[]): AnchorSet {
  let r: Anchor[] | null = null;
  for (const s of sets) if (s !== null && (r === null || better(s, r))) r = s;
  return r;
}

/** OR of children. */
export function union(sets: AnchorSet[]): AnchorSet {
  if (sets.length === 0) return null;
  const seen = new Set<string>();
  const out: Anchor[] = [];
  for (const s of sets) {
    if (s === null) return null;
    for (const a of s) {
      if (a.literal.length === 0) return null;
      const k = `${a.field ?? '\u0000'}\u0001${a.literal}`;
      if (!seen.has(k)) {
        seen.add(k);
        out.push(a);
      }
    }
  }
  return out.length > MAX_ANCHORS ? null : out;
}

/**
 * Drop anchors implied by another anchor of the same field: if literal x contains literal y,
 * any value containing x contains y, so x is redundant in a disjunction that holds y.
 */
export function simplify(set: AnchorSet): AnchorSet {
  if (set === null || set.length < 2) return set;
  const byField = new Map<string | null, Anchor[]>();
  for (const a of set) {
    const l = byField.get(a.field);
    if (l) l.push(a);
    else byField.set(a.field, [a]);
  }
  const out: Anchor[] = [];
  for (const list of byField.values()) {
    list.sort((x, y) => x.literal.length - y.literal.length);
    const kept: Anchor[] = [];
    for (const a of list) if (!kept.some((k) => a.literal.includes(k.literal))) kept.push(a);
    out.push(...kept);
  }
  return out;
}

/** Most alternative anchor sets kept per expression. */
export const MAX_CHOICES = 16;

/** The alternatives of an AND: every child's alternatives, the most selective first. */
export function andChoices(subs: Array<{ anchors: AnchorSet; choices?: Anchor[][] }>): Anchor[][] | undefined {
  const all: Anchor[][] = [];
  for (const sub of subs) {
    if (sub.choices) all.push(...sub.choices);
    else if (sub.anchors !== null) all.push(sub.anchors);
  }
  if (all.length < 2) return undefined;
  all.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  return all.slice(0, MAX_CHOICES);
}
