const HOUR = 3_600_000;

/**
 * How often each rule fired, in hour buckets of event time, so rarity is "fired n times within
 * the window" without keeping every occurrence.
 */
export class RuleFrequency {
  /** Per rule: counts per hour, hours in the order first seen, and their running total. */
  private readonly rules = new Map<string, { buckets: Map<number, number>; hours: number[]; total: number }>();
  /** How many times any count went down (hours falling out of the window): a minimum found before still holds while this stays. */
  drops = 0;

  constructor(private readonly windowMs: number) {}

  add(rule: string, atMs: number, count: number): void {
    let entry = this.rules.get(rule);
    if (!entry) this.rules.set(rule, (entry = { buckets: new Map(), hours: [], total: 0 }));
    const hour = Math.floor(atMs / HOUR) * HOUR;
    const known = entry.buckets.get(hour);
    if (known === undefined) entry.hours.push(hour);
    entry.buckets.set(hour, (known ?? 0) + count);
    entry.total += count;
  }

  /** The first hour bucket still inside the window at `nowMs`. */
  oldestHour(nowMs: number): number {
    return Math.floor((nowMs - this.windowMs) / HOUR) * HOUR;
  }

  /** Occurrences of the rule in (now - window, now]: buckets that fell out are dropped, so this is amortised O(1). */
  count(rule: string, nowMs: number): number {
    const entry = this.rules.get(rule);
    if (!entry) return 0;
    const oldest = this.oldestHour(nowMs);
    // Hours arrive mostly in order; a late one further back is dropped when the front reaches it.
    let drop = 0;
    while (drop < entry.hours.length && entry.hours[drop]! < oldest) {
      const hour = entry.hours[drop]!;
      entry.total -= entry.buckets.get(hour) ?? 0;
      entry.buckets.delete(hour);
      drop++;
    }
    if (drop > 0) {
      entry.hours.splice(0, drop);
      this.drops++;
    }
    return entry.total;
  }
}

/** A min-heap of (due time, key) with lazy deletion: callers check an entry is still current. */
export class DueQueue {
  private readonly items: Array<{ due: number; key: string }> = [];

  push(due: number, key: string): void {
    const items = this.items;
    items.push({ due, key });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.due <= items[i]!.due) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }

  peek(): { due: number; key: string } | undefined {
    return this.items[0];
  }

  pop(): { due: number; key: string } | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && items[l]!.due < items[m]!.due) m = l;
        if (r < items.length && items[r]!.due < items[m]!.due) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i]!, items[m]!];
        i = m;
      }
    }
    return top;
  }

  get size(): number {
    return this.items.length;
  }
}
