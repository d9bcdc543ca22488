/**
 * Boundedness over a long replay: 1,000,000 matches across 100,000 groups. Asserts only bounds
 * (groups and matches held never exceed the configured limits; everything is released once the
 * watermark passes), never speed: throughput belongs in a benchmark. The timeout only keeps a
 * runaway from hanging the suite.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuleMatch } from '../types.ts';
import { CorrelationEngine } from './engine.ts';
import { ObjectView, T0, ruleMeta, spec } from './testkit.ts';

describe('bounded state', () => {
  it('1,000,000 matches across 100,000 groups stay within maxGroupsPerRule and maxEventsPerGroup', { timeout: 120_000 }, (t) => {
    const MAX_GROUPS = 10_000;
    const MAX_EVENTS = 16;
    const LATENESS = 5_000;
    const TIMESPAN = 60_000;
    const engine = new CorrelationEngine(
      [
        // sliding: fires on the hot users
        spec({ id: 'burst', type: 'event_count', rules: ['auth'], group_by: ['User'], timespan_ms: TIMESPAN, condition: { gte: 5 } }),
        // anchored: every group's window waits for the watermark
        spec({ id: 'avg', type: 'value_avg', rules: ['auth'], group_by: ['User'], timespan_ms: TIMESPAN, condition: { field: 'n', gte: 900 } }),
      ],
      { allowedLatenessMs: LATENESS, maxGroupsPerRule: MAX_GROUPS, maxEventsPerGroup: MAX_EVENTS },
    );
    const rule = ruleMeta('auth');
    const N = 1_000_000;
    let fired = 0;
    let maxGroupsSeen = 0;
    let maxEventsSeen = 0;
    let last = T0;
    for (let i = 0; i < N; i++) {
      // one match per millisecond; every 7th arrives 3 s late (within the lateness)
      const time = T0 + i - (i % 7 === 0 ? 3_000 : 0);
      last = Math.max(last, time);
      // 100 hot users get every 10th match; the rest spread over 100,000 users
      const user = i % 10 === 0 ? `hot${(i / 10) % 100}` : `u${(i * 7919) % 100_000}`;
      const m: RuleMatch = { rule, event: new ObjectView({ User: user, n: i % 1000 }, time), time };
      const r = engine.onMatch(m);
      assert.equal(r.late, false);
      fired += r.fired.length;
      if (i % 10_000 === 0) {
        const s = engine.stats();
        for (const c of s.perCorrelation) {
          assert.ok(c.groups <= MAX_GROUPS, `${c.id}: ${c.groups} groups held at match ${i}`);
          assert.ok(c.events <= MAX_GROUPS * MAX_EVENTS, `${c.id}: ${c.events} matches held at match ${i}`);
        }
        maxGroupsSeen = Math.max(maxGroupsSeen, s.groupsHeld);
        maxEventsSeen = Math.max(maxEventsSeen, s.eventsHeld);
      }
    }
    const s = engine.stats();
    assert.ok(s.groupsHeld <= 2 * MAX_GROUPS);
    assert.ok(s.groupsEvicted > 0, 'more live groups than the bound: the least recent were evicted');
    assert.ok(fired > 0);
    assert.equal(s.lateDropped, 0);
    assert.ok(s.closesPending <= 2 * MAX_GROUPS, "at most one close timer per group held");

    // once the watermark passes every window, nothing is held
    fired += engine.advanceTo(last + LATENESS + TIMESPAN + 1).length;
    const after = engine.stats();
    assert.equal(after.groupsHeld, 0);
    assert.equal(after.eventsHeld, 0);
    assert.equal(after.closesPending, 0);
    t.diagnostic(
      `fired ${fired}, peak groups ${maxGroupsSeen}, peak matches ${maxEventsSeen}, groups evicted ${s.groupsEvicted}, matches dropped ${s.eventsDropped}`,
    );
  });

  it('a long replay with few groups: state follows the window, not the length of the replay', () => {
    const engine = new CorrelationEngine(
      [spec({ id: 'c', type: 'value_count', rules: ['auth'], group_by: ['host'], timespan_ms: 1_000, condition: { field: 'User', gte: 1_000 } })],
      { allowedLatenessMs: 0, maxGroupsPerRule: 100, maxEventsPerGroup: 10_000 },
    );
    const rule = ruleMeta('auth');
    let peak = 0;
    for (let i = 0; i < 200_000; i++) {
      const time = T0 + i * 10; // 100 matches per second per… 10 hosts: 10 per host per second
      engine.onMatch({ rule, event: new ObjectView({ host: `h${i % 10}`, User: `u${i % 7}` }, time), time });
      if (i % 1000 === 0) peak = Math.max(peak, engine.stats().eventsHeld);
    }
    // one second of matches per host, and the inclusive edge: at most 101 + a few
    assert.ok(peak <= 110, `peak ${peak}`);
    assert.equal(engine.stats().groupsHeld, 10);
  });
});
