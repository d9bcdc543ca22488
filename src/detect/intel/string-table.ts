/**
 * Hash tables kept in typed arrays, for sets of up to millions of keys that must not cost the
 * garbage collector anything: a typed array is one object whatever its length and its contents
 * are never scanned, so a table is a handful of objects instead of one string (and one backing
 * store slot) per key.
 *
 * - StringTable: strings as UTF-16 code units in one growable arena. Open addressing with linear
 *   probing over a power-of-two slot array (load ≤ 0.7 counting tombstones); a slot holds the entry
 *   index with the hash, offset and length of its string, so a lookup touches a slot and the
 *   string only; an entry is offset, length, hash (typed-array columns) and a small flag the caller
 *   may use.
 *   Entry indexes are stable while the entry lives (removal frees the index for a later add;
 *   rehashing and arena compaction never move an entry to another index).
 * - Uint32Table: a set of 32-bit integers with a small flag per key.
 *
 * The string hash is FNV-1a in two interleaved lanes (twice as fast as one on long keys: two
 * independent multiply chains) over the code units from the LAST to the first, so a caller can hash
 * every suffix of a string in one right-to-left pass and look each suffix up with findRange without
 * cutting it out:
 *
 *   let x = HASH_SEED_X, y = HASH_SEED_Y, n = 0;
 *   for (let i = end - 1; i >= start; i--) { const t = Math.imul(x ^ s.charCodeAt(i), HASH_PRIME); x = y; y = t; n++;
 *     // hashFinish(x, y, n) === hashRange(s, i, end)
 *   }
 *
 * Nothing here allocates on a lookup.
 */

export const HASH_SEED_X = 0x811c9dc5 | 0;
export const HASH_SEED_Y = 0x2f3a9b1d | 0;
export const HASH_PRIME = 16777619;

/** The hash of a range from the two lanes after folding `n` code units. */
export function hashFinish(x: number, y: number, n: number): number {
  return (x ^ Math.imul(y ^ n, 0x9e3779b1)) >>> 0;
}

/** Hash of `str[start, end)` as the tables compute it. */
export function hashRange(str: string, start = 0, end: number = str.length): number {
  let x = HASH_SEED_X;
  let y = HASH_SEED_Y;
  let i = end - 1;
  // Two code units a round: x takes the one at even distance from the end, y the odd.
  for (; i > start; i -= 2) {
    x = Math.imul(x ^ str.charCodeAt(i), HASH_PRIME);
    y = Math.imul(y ^ str.charCodeAt(i - 1), HASH_PRIME);
  }
  if (i === start) {
    const t = Math.imul(x ^ str.charCodeAt(i), HASH_PRIME);
    x = y;
    y = t;
  }
  return hashFinish(x, y, end - start);
}

/** hashRange of the range with ASCII A-Z folded to a-z. */
export function hashRangeLowerAscii(str: string, start = 0, end: number = str.length): number {
  let x = HASH_SEED_X;
  let y = HASH_SEED_Y;
  for (let i = end - 1; i >= start; i--) {
    const c = str.charCodeAt(i);
    const t = Math.imul(x ^ (c >= 65 && c <= 90 ? c + 32 : c), HASH_PRIME);
    x = y;
    y = t;
  }
  return hashFinish(x, y, end - start);
}

/** Spread a hash over all bits before taking the low ones as a slot (murmur3 finaliser). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const MAX_LOAD = 0.7;
/** Load right after a rehash. */
const REHASH_LOAD = 0.5;

function pow2AtLeast(n: number): number {
  let c = 1;
  while (c < n) c *= 2;
  return c;
}

/** Smallest power of two holding `live` keys at REHASH_LOAD, and at least `min`. */
function capacityFor(live: number, min: number): number {
  return Math.max(min, pow2AtLeast(Math.ceil(live / REHASH_LOAD)));
}

/** Copy of `a` with length `n` (n ≥ used). */
function grown<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(a: T, n: number, make: (n: number) => T): T {
  const b = make(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

const LIVE = 0x80;
const FLAG_MASK = 0x7f;

export interface TableOptions {
  /** Initial (and minimum) slot count, rounded up to a power of two; default 16. */
  capacity?: number;
}

/** Words a StringTable slot: entry, hash, offset, length. */
const SW = 4;

export class StringTable {
  /**
   * Four words a slot, so that a lookup reads one slot and the string and nothing else:
   * [0] 0 = empty, -1 = tombstone, else entry index + 1; [1] the hash (`| 0`), which rejects most
   * other keys at once; [2] arena offset and [3] length of the string.
   */
  private slots: Int32Array;
  /** Slot count - 1. */
  private mask: number;
  private readonly minCapacity: number;
  private live = 0;
  private tombstones = 0;

  // entry columns (off the lookup path)
  private offs: Uint32Array;
  private lens: Uint32Array;
  private hashes: Uint32Array;
  /** LIVE bit, and the caller's flag in the low 7 bits. */
  private flags: Uint8Array;
  /** Entries ever used (the next new index). */
  private top = 0;
  private free: Int32Array;
  private freeCount = 0;

  // arena
  private chars: Uint16Array;
  private used = 0;
  /** Code units in the arena that belong to removed entries. */
  private garbage = 0;

  constructor(options: TableOptions = {}) {
    const cap = pow2AtLeast(Math.max(2, options.capacity ?? 16));
    this.minCapacity = cap;
    this.slots = new Int32Array(cap * SW);
    this.mask = cap - 1;
    const n = Math.max(4, cap >>> 1);
    this.offs = new Uint32Array(n);
    this.lens = new Uint32Array(n);
    this.hashes = new Uint32Array(n);
    this.flags = new Uint8Array(n);
    this.free = new Int32Array(16);
    this.chars = new Uint16Array(Math.max(64, n * 8));
  }

  /** Number of strings in the table. */
  get size(): number {
    return this.live;
  }

  /** Slot count (diagnostics and tests). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Removed slots not yet reclaimed by a rehash (diagnostics and tests). */
  get tombstoneCount(): number {
    return this.tombstones;
  }

  /** Bytes held in typed arrays (diagnostics). */
  get byteLength(): number {
    return (
      this.slots.byteLength + this.offs.byteLength + this.lens.byteLength + this.hashes.byteLength + this.flags.byteLength + this.free.byteLength + this.chars.byteLength
    );
  }

  /** Entry index of `str`, or -1. */
  find(str: string): number {
    return this.findRange(str, 0, str.length, undefined);
  }

  has(str: string): boolean {
    return this.findRange(str, 0, str.length, undefined) >= 0;
  }

  /**
   * Entry index of the string `str[start, end)`, or -1, without cutting it out. With
   * `foldAscii`, A-Z of `str` compare as a-z (the stored strings are expected in lower case).
   * `hash`, when given, must be hashRange (or, folding, hashRangeLowerAscii) of the range, e.g.
   * folded by the caller in a right-to-left pass.
   */
  findRange(str: string, start: number, end: number, hash?: number, foldAscii = false): number {
    const h = (hash ?? (foldAscii ? hashRangeLowerAscii(str, start, end) : hashRange(str, start, end))) | 0;
    const len = end - start;
    const slots = this.slots;
    const mask = this.mask;
    let i = mix(h) & mask;
    for (;;) {
      const p = i * SW;
      const s = slots[p]!;
      if (s === 0) return -1;
      if (s > 0 && slots[p + 1] === h && slots[p + 3] === len && (foldAscii ? this.equalRangeLower(slots[p + 2]!, str, start, len) : this.equalRange(slots[p + 2]!, str, start, len))) return s - 1;
      i = (i + 1) & mask;
    }
  }

  /** findRange with A-Z of `str` compared as a-z; `hash`, when given, must be hashRangeLowerAscii(str, start, end). */
  findRangeLowerAscii(str: string, start: number, end: number, hash?: number): number {
    return this.findRange(str, start, end, hash, true);
  }

  private equalRange(o: number, str: string, start: number, len: number): boolean {
    const chars = this.chars;
    for (let k = 0; k < len; k++) if (chars[o + k] !== str.charCodeAt(start + k)) return false;
    return true;
  }

  private equalRangeLower(o: number, str: string, start: number, len: number): boolean {
    const chars = this.chars;
    for (let k = 0; k < len; k++) {
      let c = str.charCodeAt(start + k);
      if (c >= 65 && c <= 90) c += 32;
      if (chars[o + k] !== c) return false;
    }
    return true;
  }

  /** Add `str` (no-op when present); returns its entry index. A new entry's flag is 0. */
  add(str: string): number {
    const len = str.length;
    const h = hashRange(str, 0, len) | 0;
    let mask = this.mask;
    let i = mix(h) & mask;
    let tomb = -1;
    for (;;) {
      const p = i * SW;
      const s = this.slots[p]!;
      if (s === 0) break;
      if (s < 0) {
        if (tomb < 0) tomb = i;
      } else if (this.slots[p + 1] === h && this.slots[p + 3] === len && this.equalRange(this.slots[p + 2]!, str, 0, len)) return s - 1;
      i = (i + 1) & mask;
    }
    if (tomb >= 0) {
      i = tomb;
      this.tombstones--;
    } else if (this.live + this.tombstones + 1 > (mask + 1) * MAX_LOAD) {
      this.rehash(capacityFor(this.live + 1, this.minCapacity));
      mask = this.mask;
      i = mix(h) & mask;
      while (this.slots[i * SW] !== 0) i = (i + 1) & mask;
    }
    // (newEntry may compact the arena, which rewrites the offsets of the filled slots only.)
    const e = this.newEntry(str, h);
    const p = i * SW;
    this.slots[p] = e + 1;
    this.slots[p + 1] = h;
    this.slots[p + 2] = this.offs[e]!;
    this.slots[p + 3] = len;
    this.live++;
    return e;
  }

  /** Remove `str`; false when it was not there. Its entry index may be reused by a later add. */
  remove(str: string): boolean {
    const e = this.find(str);
    if (e < 0) return false;
    this.removeAt(e);
    return true;
  }

  /** Remove the entry at `index` (which must be live). */
  removeAt(index: number): void {
    this.check(index);
    const mask = this.mask;
    let i = mix(this.hashes[index]! | 0) & mask;
    while (this.slots[i * SW] !== index + 1) i = (i + 1) & mask;
    this.slots.fill(0, i * SW, i * SW + SW);
    this.slots[i * SW] = -1;
    this.tombstones++;
    this.live--;
    this.garbage += this.lens[index]!;
    this.lens[index] = 0;
    this.flags[index] = 0;
    if (this.freeCount === this.free.length) this.free = grown(this.free, this.free.length * 2, (n) => new Int32Array(n));
    this.free[this.freeCount++] = index;
    if (this.tombstones > (mask + 1) >>> 2) this.rehash(capacityFor(this.live, this.minCapacity));
  }

  /** Whether `index` is a live entry. */
  isLive(index: number): boolean {
    return index >= 0 && index < this.top && (this.flags[index]! & LIVE) !== 0;
  }

  /** The string at `index` (built on each call). */
  valueAt(index: number): string {
    this.check(index);
    const o = this.offs[index]!;
    const n = this.lens[index]!;
    if (n <= 4096) return String.fromCharCode.apply(null, this.chars.subarray(o, o + n) as unknown as number[]);
    let s = '';
    for (let k = 0; k < n; k += 4096) s += String.fromCharCode.apply(null, this.chars.subarray(o + k, o + Math.min(n, k + 4096)) as unknown as number[]);
    return s;
  }

  /** Whether the string at `index` is `str`. */
  equalsAt(index: number, str: string): boolean {
    return this.isLive(index) && this.lens[index] === str.length && this.equalRange(this.offs[index]!, str, 0, str.length);
  }

  /** The caller's flag of a live entry (0-127). */
  flag(index: number): number {
    return this.flags[index]! & FLAG_MASK;
  }

  setFlag(index: number, value: number): void {
    this.check(index);
    if (value < 0 || value > FLAG_MASK || !Number.isInteger(value)) throw new RangeError(`flag out of range: ${value}`);
    this.flags[index] = LIVE | value;
  }

  /** Live entry indexes, lowest first. Entries added while iterating may or may not be visited. */
  *indices(): IterableIterator<number> {
    for (let e = 0; e < this.top; e++) if ((this.flags[e]! & LIVE) !== 0) yield e;
  }

  *values(): IterableIterator<string> {
    for (const e of this.indices()) yield this.valueAt(e);
  }

  private check(index: number): void {
    if (!this.isLive(index)) throw new RangeError(`no entry ${index}`);
  }

  private newEntry(str: string, h: number): number {
    const len = str.length;
    let e: number;
    if (this.freeCount > 0) e = this.free[--this.freeCount]!;
    else {
      if (this.top === this.offs.length) {
        const n = this.offs.length * 2;
        this.offs = grown(this.offs, n, (k) => new Uint32Array(k));
        this.lens = grown(this.lens, n, (k) => new Uint32Array(k));
        this.hashes = grown(this.hashes, n, (k) => new Uint32Array(k));
        this.flags = grown(this.flags, n, (k) => new Uint8Array(k));
      }
      e = this.top++;
    }
    this.reserve(len);
    const o = this.used;
    const chars = this.chars;
    for (let k = 0; k < len; k++) chars[o + k] = str.charCodeAt(k);
    this.used = o + len;
    this.offs[e] = o;
    this.lens[e] = len;
    this.hashes[e] = h;
    this.flags[e] = LIVE;
    return e;
  }

  /**
   * Room for `n` more code units at the end of the arena: copy the live strings into a new arena
   * (dropping removed ones), grown by half until the live strings and `n` fill at most 80% of it.
   */
  private reserve(n: number): void {
    if (this.used + n <= this.chars.length) return;
    const need = this.used - this.garbage + n;
    let size = this.chars.length;
    while (size < need + (need >>> 2)) size += Math.max(64, size >>> 1);
    this.compactInto(new Uint16Array(size));
  }

  private compactInto(to: Uint16Array): void {
    const from = this.chars;
    let w = 0;
    for (let e = 0; e < this.top; e++) {
      if ((this.flags[e]! & LIVE) === 0) continue;
      const o = this.offs[e]!;
      const n = this.lens[e]!;
      to.set(from.subarray(o, o + n), w);
      this.offs[e] = w;
      w += n;
    }
    this.chars = to;
    this.used = w;
    this.garbage = 0;
    const slots = this.slots;
    for (let p = 0; p < slots.length; p += SW) if (slots[p]! > 0) slots[p + 2] = this.offs[slots[p]! - 1]!;
  }

  private rehash(capacity: number): void {
    const old = this.slots;
    const slots = new Int32Array(capacity * SW);
    const mask = capacity - 1;
    for (let q = 0; q < old.length; q += SW) {
      if (old[q]! <= 0) continue;
      let i = mix(old[q + 1]!) & mask;
      while (slots[i * SW] !== 0) i = (i + 1) & mask;
      slots.set(old.subarray(q, q + SW), i * SW);
    }
    this.slots = slots;
    this.mask = mask;
    this.tombstones = 0;
  }
}

/**
 * A set of 32-bit unsigned integers with a flag (0-253) per key. Keys live in the slots
 * themselves, so a slot number returned by find/add is only valid until the next add or remove.
 */
export class Uint32Table {
  private keys: Uint32Array;
  /** 0: empty; 1: tombstone; 2 + flag: live. */
  private state: Uint8Array;
  private mask: number;
  private readonly minCapacity: number;
  private live = 0;
  private tombstones = 0;

  constructor(options: TableOptions = {}) {
    const cap = pow2AtLeast(Math.max(2, options.capacity ?? 16));
    this.minCapacity = cap;
    this.keys = new Uint32Array(cap);
    this.state = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.live;
  }

  get capacity(): number {
    return this.keys.length;
  }

  get tombstoneCount(): number {
    return this.tombstones;
  }

  get byteLength(): number {
    return this.keys.byteLength + this.state.byteLength;
  }

  /** Slot of `key`, or -1. */
  find(key: number): number {
    const k = key >>> 0;
    const mask = this.mask;
    const state = this.state;
    let i = mix(k) & mask;
    for (;;) {
      const st = state[i]!;
      if (st === 0) return -1;
      if (st >= 2 && this.keys[i] === k) return i;
      i = (i + 1) & mask;
    }
  }

  has(key: number): boolean {
    return this.find(key) >= 0;
  }

  /** Add `key` (no-op when present); returns its slot. A new key's flag is 0. */
  add(key: number): number {
    const k = key >>> 0;
    let mask = this.mask;
    let i = mix(k) & mask;
    let tomb = -1;
    for (;;) {
      const st = this.state[i]!;
      if (st === 0) break;
      if (st === 1) {
        if (tomb < 0) tomb = i;
      } else if (this.keys[i] === k) return i;
      i = (i + 1) & mask;
    }
    if (tomb >= 0) {
      i = tomb;
      this.tombstones--;
    } else if (this.live + this.tombstones + 1 > this.keys.length * MAX_LOAD) {
      this.rehash(capacityFor(this.live + 1, this.minCapacity));
      mask = this.mask;
      i = mix(k) & mask;
      while (this.state[i] !== 0) i = (i + 1) & mask;
    }
    this.keys[i] = k;
    this.state[i] = 2;
    this.live++;
    return i;
  }

  remove(key: number): boolean {
    const i = this.find(key);
    if (i < 0) return false;
    this.state[i] = 1;
    this.keys[i] = 0;
    this.live--;
    this.tombstones++;
    if (this.tombstones > this.keys.length >>> 2) this.rehash(capacityFor(this.live, this.minCapacity));
    return true;
  }

  /** Flag of the key at `slot` (from find/add). */
  flagAt(slot: number): number {
    return this.state[slot]! - 2;
  }

  setFlagAt(slot: number, value: number): void {
    if (this.state[slot]! < 2) throw new RangeError(`no key at slot ${slot}`);
    if (value < 0 || value > 253 || !Number.isInteger(value)) throw new RangeError(`flag out of range: ${value}`);
    this.state[slot] = 2 + value;
  }

  *values(): IterableIterator<number> {
    for (let i = 0; i < this.keys.length; i++) if (this.state[i]! >= 2) yield this.keys[i]!;
  }

  private rehash(capacity: number): void {
    const keys = new Uint32Array(capacity);
    const state = new Uint8Array(capacity);
    const mask = capacity - 1;
    for (let j = 0; j < this.keys.length; j++) {
      const st = this.state[j]!;
      if (st < 2) continue;
      const k = this.keys[j]!;
      let i = mix(k) & mask;
      while (state[i] !== 0) i = (i + 1) & mask;
      keys[i] = k;
      state[i] = st;
    }
    this.keys = keys;
    this.state = state;
    this.mask = mask;
    this.tombstones = 0;
  }
}
