/**
 * Aho-Corasick multi-pattern substring search over UTF-16 code units of lower-cased text.
 *
 * Layout (all typed arrays, built once):
 *  - Character classes: every code unit that occurs in a (lower-cased) pattern gets a class 1..K;
 *    everything else is class 0, which no pattern contains, so it always leads back to the root.
 *    ASCII is looked up in a 128-entry table that also folds A-Z to a-z; other code units in a Map.
 *  - States 0..S-1 in breadth-first order (0 = root). Goto edges in CSR form, sorted by class:
 *    `edgeStart[s]..edgeStart[s+1]` index `edgeClass` / `edgeTarget`.
 *  - Dense rows (the full DFA transition for every class) for the first D states in breadth-first
 *    order, i.e. the shallowest ones, where a scan spends most of its time: all states when
 *    states × classes fits DENSE_CELLS (then a step is one table load), else as many as fit, and
 *    never fewer than the root and the states of depth 1. A state beyond D uses its goto edges and
 *    falls back along `fail` links (to shallower states) until a dense state answers.
 *  - Outputs: `outStart[s]..outStart[s+1]` index `outPattern` (patterns ending exactly at s);
 *    `dict[s]` is the nearest proper suffix state with outputs (-1: none).
 *
 * Case folding: text is scanned as is while it is ASCII (A-Z folded by the class table, which is
 * exactly what `toLowerCase` does to ASCII). At the first non-ASCII code unit the scan switches
 * to `text.toLowerCase()` at the same position: lower-casing an ASCII prefix never changes its
 * length, so positions agree, and the rest is scanned with JavaScript's full lower-casing.
 *
 * Reporting: a scan is part of a session (`begin()`); each pattern is reported at most once per
 * session (states carry the session stamp, so a repeated substring costs one comparison), and a
 * scan stops early once every pattern has been reported.
 */

/** Receives pattern indexes as they are found. */
export interface PatternSink {
  hit(pattern: number): void;
}

const NO_STATE = -1;
/** Budget of dense transition cells per automaton (4 bytes each). */
export const DENSE_CELLS = 1 << 18;

export class AhoCorasick {
  /** Number of patterns (as given, duplicates included). */
  readonly size: number;
  /** Number of automaton states. */
  readonly states: number;
  /** Number of character classes including class 0. */
  readonly classes: number;

  private readonly ascii: Int32Array;
  private readonly other: Map<number, number>;
  private readonly edgeStart: Int32Array;
  private readonly edgeClass: Int32Array;
  private readonly edgeTarget: Int32Array;
  private readonly fail: Int32Array;
  /** States 0..denseStates-1 have a row in `dense` (row s at s * classes). */
  private readonly denseStates: number;
  private readonly dense: Int32Array;
  /** 1 when a state has outputs of its own or through its dictionary link. */
  private readonly hasOut: Uint8Array;
  private readonly outStart: Int32Array;
  private readonly outPattern: Int32Array;
  private readonly dict: Int32Array;
  /** Patterns that are empty strings: they occur in every text. */
  private readonly emptyPatterns: Int32Array;

  private readonly stamp: Int32Array;
  private session = 0;
  private reported = 0;
  /** Distinct patterns that can be reported (empty ones included). */
  private readonly reportable: number;

  /**
   * @param patterns the literals (lower-cased here).
   * @param options.denseCells dense transition budget (default DENSE_CELLS); 0 keeps only the root
   *   and depth-1 rows dense (for tests of the sparse path).
   */
  constructor(patterns: readonly string[], options: { denseCells?: number } = {}) {
    this.size = patterns.length;
    const lowered = patterns.map((p) => p.toLowerCase());

    // Character classes.
    const ascii = new Int32Array(128);
    const other = new Map<number, number>();
    let k = 1;
    for (const p of lowered) {
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        if (c < 128) {
          if (ascii[c] === 0) ascii[c] = k++;
        } else if (!other.has(c)) other.set(c, k++);
      }
    }
    // Fold A-Z onto a-z (patterns are lower-cased, so upper-case letters never got a class).
    for (let c = 65; c <= 90; c++) ascii[c] = ascii[c + 32];
    const K = k;
    this.classes = K;
    this.ascii = ascii;
    this.other = other;

    // Trie, with goto edges in one map keyed by state * K + class.
    const edges = new Map<number, number>();
    const depth: number[] = [0];
    const ends: number[][] = [[]];
    const empty: number[] = [];
    let nStates = 1;
    for (let pi = 0; pi < lowered.length; pi++) {
      const p = lowered[pi];
      if (p.length === 0) {
        empty.push(pi);
        continue;
      }
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        const cls = c < 128 ? ascii[c] : (other.get(c) as number);
        const key = s * K + cls;
        let t = edges.get(key);
        if (t === undefined) {
          t = nStates++;
          edges.set(key, t);
          depth.push(depth[s] + 1);
          ends.push([]);
        }
        s = t;
      }
      ends[s].push(pi);
    }
    this.emptyPatterns = Int32Array.from(empty);

    // Children lists, then breadth-first renumbering so that fail targets precede their states.
    const children: Array<Array<[number, number]>> = Array.from({ length: nStates }, () => []);
    for (const [key, t] of edges) children[Math.floor(key / K)].push([key % K, t]);
    for (const list of children) list.sort((a, b) => a[0] - b[0]);
    const order: number[] = [0];
    for (let i = 0; i < order.length; i++) for (const [, t] of children[order[i]]) order.push(t);
    const newId = new Int32Array(nStates);
    for (let i = 0; i < order.length; i++) newId[order[i]] = i;

    const S = nStates;
    this.states = S;
    const edgeStart = new Int32Array(S + 1);
    const edgeClass = new Int32Array(edges.size);
    const edgeTarget = new Int32Array(edges.size);
    let e = 0;
    for (let i = 0; i < S; i++) {
      edgeStart[i] = e;
      for (const [cls, t] of children[order[i]]) {
        edgeClass[e] = cls;
        edgeTarget[e] = newId[t];
        e++;
      }
    }
    edgeStart[S] = e;
    this.edgeStart = edgeStart;
    this.edgeClass = edgeClass;
    this.edgeTarget = edgeTarget;

    const goto = (s: number, cls: number): number => {
      for (let j = edgeStart[s], end = edgeStart[s + 1]; j < end; j++) {
        if (edgeClass[j] === cls) return edgeTarget[j];
        if (edgeClass[j] > cls) break;
      }
      return NO_STATE;
    };

    // Fail links (BFS order: a state's fail target has smaller depth, hence a smaller id).
    const fail = new Int32Array(S);
    for (let s = 0; s < S; s++) {
      for (let j = edgeStart[s]; j < edgeStart[s + 1]; j++) {
        const cls = edgeClass[j];
        const t = edgeTarget[j];
        if (s === 0) {
          fail[t] = 0;
          continue;
        }
        let f = fail[s];
        for (;;) {
          const g = goto(f, cls);
          if (g !== NO_STATE) {
            fail[t] = g;
            break;
          }
          if (f === 0) {
            fail[t] = 0;
            break;
          }
          f = fail[f];
        }
      }
    }
    this.fail = fail;

    // Outputs and dictionary suffix links.
    const outStart = new Int32Array(S + 1);
    let nOut = 0;
    for (let i = 0; i < S; i++) {
      outStart[i] = nOut;
      nOut += ends[order[i]].length;
    }
    outStart[S] = nOut;
    const outPattern = new Int32Array(nOut);
    for (let i = 0, o = 0; i < S; i++) for (const pi of ends[order[i]]) outPattern[o++] = pi;
    const dict = new Int32Array(S).fill(NO_STATE);
    for (let s = 1; s < S; s++) {
      const f = fail[s];
      dict[s] = f !== 0 && outStart[f + 1] > outStart[f] ? f : f !== 0 ? dict[f] : NO_STATE;
    }
    this.outStart = outStart;
    this.outPattern = outPattern;
    this.dict = dict;

    // Dense rows for the shallowest states (BFS order: a fail target always precedes its state).
    let depth1 = 1;
    while (depth1 < S && depth[order[depth1]] <= 1) depth1++;
    const D = Math.min(S, Math.max(depth1, Math.floor((options.denseCells ?? DENSE_CELLS) / K)));
    const dense = new Int32Array(D * K);
    for (let s = 0; s < D; s++) {
      const base = s * K;
      for (let cls = 1; cls < K; cls++) {
        const g = goto(s, cls);
        dense[base + cls] = g !== NO_STATE ? g : s === 0 ? 0 : dense[fail[s] * K + cls];
      }
    }
    this.denseStates = D;
    this.dense = dense;
    const hasOut = new Uint8Array(S);
    for (let s = 1; s < S; s++) if (outStart[s + 1] > outStart[s] || dict[s] !== NO_STATE) hasOut[s] = 1;
    this.hasOut = hasOut;

    this.stamp = new Int32Array(S);
    const distinct = new Set<number>();
    for (let i = 0; i < nOut; i++) distinct.add(outPattern[i]);
    this.reportable = distinct.size + empty.length;
  }

  /** Start a session: from now on each pattern is reported at most once until the next `begin`. */
  begin(): void {
    this.session++;
    if (this.session === 0x7fffffff) {
      this.stamp.fill(0);
      this.session = 1;
    }
    this.reported = 0;
  }

  /** True when every pattern has been reported in this session (further scans are no-ops). */
  get exhausted(): boolean {
    return this.reported >= this.reportable;
  }

  /**
   * Report (once per session) every pattern that occurs in `text`, case-insensitively as
   * defined above. Call `begin()` first.
   */
  scan(text: string, sink: PatternSink): void {
    if (this.reported >= this.reportable) return;
    if (this.emptyPatterns.length > 0 && this.stamp[0] !== this.session) {
      this.stamp[0] = this.session;
      for (let i = 0; i < this.emptyPatterns.length; i++) {
        this.reported++;
        sink.hit(this.emptyPatterns[i]);
      }
    }
    this.run(text, 0, 0, false, sink);
  }

  /**
   * The scan loop from position `from` in state `state`. With `lowered` false the text is taken
   * as ASCII (A-Z folded by the class table) until the first non-ASCII code unit, where the scan
   * continues over `text.toLowerCase()` from the same position: the ASCII prefix maps one to one,
   * so positions agree up to there.
   */
  private run(str: string, from: number, state: number, lowered: boolean, sink: PatternSink): void {
    const { ascii, other, edgeStart, edgeClass, edgeTarget, fail, dense, hasOut, stamp, session } = this;
    const K = this.classes;
    const D = this.denseStates;
    let s = state;
    const n = str.length;
    for (let i = from; i < n; i++) {
      const c = str.charCodeAt(i);
      let cls: number;
      if (c < 128) cls = ascii[c];
      else if (!lowered) {
        this.run(str.toLowerCase(), i, s, true, sink);
        return;
      } else cls = other.get(c) ?? 0;
      if (cls === 0) {
        s = 0;
        continue;
      }
      for (;;) {
        if (s < D) {
          s = dense[s * K + cls];
          break;
        }
        let t = NO_STATE;
        for (let j = edgeStart[s], end = edgeStart[s + 1]; j < end; j++) {
          const ec = edgeClass[j];
          if (ec === cls) {
            t = edgeTarget[j];
            break;
          }
          if (ec > cls) break;
        }
        if (t !== NO_STATE) {
          s = t;
          break;
        }
        s = fail[s];
      }
      if (hasOut[s] === 1 && stamp[s] !== session) {
        this.emit(s, sink);
        if (this.reported >= this.reportable) return;
      }
    }
  }

  /** Report the outputs of `s` and of its dictionary suffix chain, skipping states already stamped. */
  private emit(s: number, sink: PatternSink): void {
    const { stamp, outStart, outPattern, dict, session } = this;
    let t = s;
    while (t !== NO_STATE && stamp[t] !== session) {
      stamp[t] = session;
      for (let j = outStart[t], end = outStart[t + 1]; j < end; j++) {
        this.reported++;
        sink.hit(outPattern[j]);
      }
      t = dict[t];
    }
  }

  /** Indexes of the patterns occurring in `text` (a fresh session), ascending. For tests and tools. */
  findAll(text: string): number[] {
    const found: number[] = [];
    this.begin();
    this.scan(text, { hit: (p) => found.push(p) });
    return found.sort((a, b) => a - b);
  }

  /** Rough memory use in bytes (typed arrays only). */
  get bytes(): number {
    return (
      this.ascii.byteLength + this.edgeStart.byteLength + this.edgeClass.byteLength + this.edgeTarget.byteLength +
      this.fail.byteLength + this.hasOut.byteLength + this.dense.byteLength + this.outStart.byteLength +
      this.outPattern.byteLength + this.dict.byteLength + this.stamp.byteLength + this.other.size * 16
    );
  }
}
