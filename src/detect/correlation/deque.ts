/**
 * A ring buffer kept sorted by time, with optional columns (a small integer tag, an item, a
 * value) per entry. Appending in time order (the common case) is O(1); an out-of-order insert
 * finds its place by binary search and shifts the few later entries; removing from the front is
 * O(1). Capacity grows by doubling. Plain arrays, not typed arrays: groups are many and short
 * lived, and small ArrayBuffers cost more to collect than they save.
 */
export class TimeDeque<I = unknown, V = unknown> {
  private times: number[];
  private tags: number[] | null;
  private items: (I | undefined)[] | null;
  private vals: (V | undefined)[] | null;
  private head = 0;
  private size = 0;
  private mask: number;

  /** `columns`: keep a tag, an item and a value per entry (else times only). */
  constructor(columns: boolean, initialCapacity = 4) {
    let cap = 1;
    while (cap < initialCapacity) cap <<= 1;
    this.mask = cap - 1;
    this.times = new Array<number>(cap).fill(0);
    this.tags = columns ? new Array<number>(cap).fill(0) : null;
    this.items = columns ? new Array<I | undefined>(cap).fill(undefined) : null;
    this.vals = columns ? new Array<V | undefined>(cap).fill(undefined) : null;
  }

  get length(): number {
    return this.size;
  }

  time(i: number): number {
    return this.times[(this.head + i) & this.mask];
  }

  tag(i: number): number {
    return this.tags![(this.head + i) & this.mask];
  }

  item(i: number): I {
    return this.items![(this.head + i) & this.mask] as I;
  }

  val(i: number): V {
    return this.vals![(this.head + i) & this.mask] as V;
  }

  first(): number {
    return this.times[this.head];
  }

  last(): number {
    return this.times[(this.head + this.size - 1) & this.mask];
  }

  /** First index whose time is >= t (length when none). */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.time(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose time is > t (length when none). */
  upperBound(t: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.time(mid) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Inserts after any entries of equal time; returns the index it landed at. */
  insert(t: number, tag = 0, item?: I, val?: V): number {
    if (this.size === this.mask + 1) this.grow();
    let at: number;
    if (this.size === 0 || t >= this.last()) {
      at = this.size;
    } else {
      at = this.upperBound(t);
      for (let i = this.size; i > at; i--) this.copy(i - 1, i);
    }
    const slot = (this.head + at) & this.mask;
    this.times[slot] = t;
    if (this.tags) {
      this.tags[slot] = tag;
      this.items![slot] = item;
      this.vals![slot] = val;
    }
    this.size++;
    return at;
  }

  /** Empties the deque, keeping its capacity. */
  clear(): void {
    if (this.items) {
      for (let i = 0; i < this.size; i++) {
        const slot = (this.head + i) & this.mask;
        this.items[slot] = undefined;
        this.vals![slot] = undefined;
      }
    }
    this.head = 0;
    this.size = 0;
  }

  shift(): void {
    if (this.size === 0) return;
    if (this.items) {
      this.items[this.head] = undefined;
      this.vals![this.head] = undefined;
    }
    this.head = (this.head + 1) & this.mask;
    this.size--;
  }

  /** Removes entries lo..hi (inclusive). */
  removeRange(lo: number, hi: number): void {
    const n = hi - lo + 1;
    if (n <= 0) return;
    if (lo === 0) {
      for (let i = 0; i < n; i++) this.shift();
      return;
    }
    for (let i = hi + 1; i < this.size; i++) this.copy(i, i - n);
    if (this.items) {
      for (let i = this.size - n; i < this.size; i++) {
        const slot = (this.head + i) & this.mask;
        this.items[slot] = undefined;
        this.vals![slot] = undefined;
      }
    }
    this.size -= n;
  }

  /** Removes every entry whose time is within [from, to]. */
  removeTimes(from: number, to: number): void {
    const lo = this.lowerBound(from);
    const hi = this.upperBound(to) - 1;
    if (hi >= lo) this.removeRange(lo, hi);
  }

  private copy(from: number, to: number): void {
    const a = (this.head + from) & this.mask;
    const b = (this.head + to) & this.mask;
    this.times[b] = this.times[a];
    if (this.tags) {
      this.tags[b] = this.tags[a];
      this.items![b] = this.items![a];
      this.vals![b] = this.vals![a];
    }
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const reorder = <T>(col: T[], fill: T): T[] => {
      const out = new Array<T>(cap).fill(fill);
      for (let i = 0; i < this.size; i++) out[i] = col[(this.head + i) & this.mask];
      return out;
    };
    this.times = reorder(this.times, 0);
    if (this.tags) {
      this.tags = reorder(this.tags, 0);
      this.items = reorder(this.items!, undefined);
      this.vals = reorder(this.vals!, undefined);
    }
    this.head = 0;
    this.mask = cap - 1;
  }
}

/** What an IndexedHeap orders: a key and the slot the heap keeps up to date. */
export interface HeapItem {
  heapAt: number;
  heapIdx: number;
}

/**
 * A binary min-heap on `heapAt` that knows where each item sits, so an item can be re-keyed or
 * removed in O(log n). Each item is in it at most once (heapIdx −1 when absent).
 */
export class IndexedHeap<T extends HeapItem> {
  private a: T[] = [];

  get size(): number {
    return this.a.length;
  }

  peek(): T | undefined {
    return this.a[0];
  }

  /** Inserts the item, or moves it to its new key if already present. */
  set(item: T, at: number): void {
    item.heapAt = at;
    if (item.heapIdx < 0) {
      item.heapIdx = this.a.length;
      this.a.push(item);
      this.up(item.heapIdx);
    } else {
      this.down(this.up(item.heapIdx));
    }
  }

  remove(item: T): void {
    const i = item.heapIdx;
    if (i < 0) return;
    const last = this.a.pop()!;
    item.heapIdx = -1;
    if (last !== item) {
      this.a[i] = last;
      last.heapIdx = i;
      this.down(this.up(i));
    }
  }

  pop(): T | undefined {
    const top = this.a[0];
    if (top) this.remove(top);
    return top;
  }

  private up(i: number): number {
    const a = this.a;
    const item = a[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].heapAt <= item.heapAt) break;
      a[i] = a[p];
      a[i].heapIdx = i;
      i = p;
    }
    a[i] = item;
    item.heapIdx = i;
    return i;
  }

  private down(i: number): number {
    const a = this.a;
    const item = a[i];
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && a[r].heapAt < a[l].heapAt ? r : l;
      if (a[m].heapAt >= item.heapAt) break;
      a[i] = a[m];
      a[i].heapIdx = i;
      i = m;
    }
    a[i] = item;
    item.heapIdx = i;
    return i;
  }
}
