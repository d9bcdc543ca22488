/**
 * Literal prefilter for the rules of one logsource (DESIGN §10 "Sigma at scale").
 *
 * Each rule brings its anchors: literals it cannot match without, as a disjunction (at least one
 * occurs, lower-cased, in its field's value; field null: in one of the event's keyword strings).
 * Per field one Aho-Corasick automaton over all rules' literals for that field; for an event,
 * each field that has an automaton is read once (through the view, so through the logsource's
 * field mapping) and scanned once per string value; every literal found makes its rules
 * candidates. Rules without anchors (null, an empty list, or an empty literal) are always run.
 *
 * Guarantee: a rule with anchors is a candidate exactly when one of its literals occurs in its
 * field (case-insensitively, as `toLowerCase` defines it). Value forms: strings are scanned as
 * they are, numbers and booleans as `String(v)`, arrays element by element (nested arrays too);
 * an object value (which no literal test can see into) makes every rule anchored on that field a
 * candidate, so the prefilter never hides a rule the engine might match.
 */
import type { Anchor, EventView } from '../types.ts';
import { AhoCorasick, type PatternSink } from './aho-corasick.ts';

export interface CandidateEntry {
  /** The caller's rule index (returned by `candidates`). */
  rule: number;
  anchors: readonly Anchor[] | null;
}

interface FieldIndex {
  field: string | null;
  ac: AhoCorasick;
  /** pattern → local rule ids (CSR). */
  patStart: Int32Array;
  patRules: Int32Array;
  /** Every local rule anchored on this field (object values). */
  allRules: Int32Array;
}

export interface CandidateIndexStats {
  rules: number;
  alwaysRun: number;
  anchored: number;
  fields: number;
  literals: number;
  states: number;
  bytes: number;
}

const MAX_ARRAY_DEPTH = 4;

export class CandidateIndex implements PatternSink {
  /** Rule indexes evaluated for every event (no usable anchors). */
  readonly alwaysRun: readonly number[];
  private readonly ruleOf: Int32Array;
  private readonly fieldIndexes: FieldIndex[];
  private readonly stamp: Int32Array;
  private epoch = 0;
  private current: FieldIndex | null = null;
  private out: number[] = [];
  private readonly literalCount: number;

  constructor(entries: Iterable<CandidateEntry>) {
    const ruleOf: number[] = [];
    const always: number[] = [];
    const byField = new Map<string | null, Map<string, Set<number>>>();
    for (const e of entries) {
      const anchors = e.anchors;
      if (anchors === null || anchors.length === 0 || anchors.some((a) => a.literal.length === 0)) {
        always.push(e.rule);
        continue;
      }
      const local = ruleOf.length;
      ruleOf.push(e.rule);
      for (const a of anchors) {
        let lits = byField.get(a.field);
        if (!lits) byField.set(a.field, (lits = new Map()));
        const lit = a.literal.toLowerCase();
        let rules = lits.get(lit);
        if (!rules) lits.set(lit, (rules = new Set()));
        rules.add(local);
      }
    }
    this.alwaysRun = Object.freeze(always.slice().sort((a, b) => a - b));
    this.ruleOf = Int32Array.from(ruleOf);
    this.stamp = new Int32Array(ruleOf.length);
    let literals = 0;
    this.fieldIndexes = [...byField].map(([field, lits]) => {
      const patterns = [...lits.keys()];
      literals += patterns.length;
      const patStart = new Int32Array(patterns.length + 1);
      let total = 0;
      patterns.forEach((p, i) => {
        patStart[i] = total;
        total += (lits.get(p) as Set<number>).size;
      });
      patStart[patterns.length] = total;
      const patRules = new Int32Array(total);
      const all = new Set<number>();
      let k = 0;
      for (const p of patterns) {
        for (const r of lits.get(p) as Set<number>) {
          patRules[k++] = r;
          all.add(r);
        }
      }
      return { field, ac: new AhoCorasick(patterns), patStart, patRules, allRules: Int32Array.from(all) };
    });
    // Keyword scans (many strings) last; the order does not change the result.
    this.fieldIndexes.sort((a, b) => (a.field === null ? 1 : 0) - (b.field === null ? 1 : 0));
    this.literalCount = literals;
  }

  /** PatternSink: a literal of the field being scanned occurred. */
  hit(pattern: number): void {
    const fi = this.current as FieldIndex;
    const { patStart, patRules } = fi;
    for (let j = patStart[pattern], end = patStart[pattern + 1]; j < end; j++) this.take(patRules[j]);
  }

  private take(local: number): void {
    if (this.stamp[local] !== this.epoch) {
      this.stamp[local] = this.epoch;
      this.out.push(this.ruleOf[local]);
    }
  }

  /**
   * Rule indexes to evaluate for this event, each once, in no particular order (sorting hundreds
   * of candidates would cost more than the scan): always-run rules plus the anchored rules whose
   * literal occurs. The array is new; the caller may keep or change it.
   */
  candidates(view: EventView): number[] {
    this.epoch++;
    if (this.epoch === 0x7fffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    const out: number[] = this.alwaysRun.length > 0 ? this.alwaysRun.slice() : [];
    this.out = out;
    const fis = this.fieldIndexes;
    for (let f = 0; f < fis.length; f++) {
      const fi = fis[f];
      this.current = fi;
      fi.ac.begin();
      if (fi.field === null) {
        const kw = view.keywords();
        for (let i = 0; i < kw.length && !fi.ac.exhausted; i++) fi.ac.scan(kw[i], this);
      } else {
        this.scanValue(fi, view.get(fi.field), 0);
      }
    }
    this.current = null;
    return out;
  }

  private scanValue(fi: FieldIndex, v: unknown, depth: number): void {
    if (v === undefined || v === null) return;
    if (typeof v === 'string') {
      fi.ac.scan(v, this);
      return;
    }
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
      fi.ac.scan(String(v), this);
      return;
    }
    if (Array.isArray(v) && depth < MAX_ARRAY_DEPTH) {
      for (let i = 0; i < v.length && !fi.ac.exhausted; i++) this.scanValue(fi, v[i], depth + 1);
      return;
    }
    // An object (or a too deeply nested array): no literal test applies; keep every rule of the field.
    const all = fi.allRules;
    for (let i = 0; i < all.length; i++) this.take(all[i]);
  }

  stats(): CandidateIndexStats {
    let states = 0;
    let bytes = 0;
    for (const fi of this.fieldIndexes) {
      states += fi.ac.states;
      bytes += fi.ac.bytes + fi.patStart.byteLength + fi.patRules.byteLength + fi.allRules.byteLength;
    }
    return {
      rules: this.ruleOf.length + this.alwaysRun.length,
      alwaysRun: this.alwaysRun.length,
      anchored: this.ruleOf.length,
      fields: this.fieldIndexes.length,
      literals: this.literalCount,
      states,
      bytes,
    };
  }
}
