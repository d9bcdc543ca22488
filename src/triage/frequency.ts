const HOUR = 3_600_000;

/**
 * How often each rule fired, in hour buckets of event time, so rarity is "fired n times within
 * the window" without keeping every occurrence.
 */
export class RuleFrequency {
  private readonly rules = new Map<string, Map<number, number>>();

  constructor(private readonly windowMs: number) {}

  add(rule: string, atMs: number, count: number): void {
    let buckets = this.rules.get(rule);
    if (!buckets) this.rules.set(rule, (buckets = new Map()));
    const hour = Math.floor(atMs / HOUR) * HOUR;
    buckets.set(hour, (buckets.get(hour) ?? 0) + count);
  }

  /** Occurrences of the rule in (now - window, now], dropping buckets that fell out. */
  count(rule: string, nowMs: number): number {
    const buckets = this.rules.get(rule);
    if (!buckets) return 0;
    const oldest = Math.floor((nowMs - this.windowMs) / HOUR) * HOUR;
    let total = 0;
    for (const [hour, n] of buckets) {
      if (hour < oldest) buckets.delete(hour);
      else total += n;
    }
    return total;
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
