import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuleMatch } from '../types.ts';
import { CorrelationEngine } from './engine.ts';
import { M, S, T0, match, options, spec } from './testkit.ts';
import type { CorrelationAlert, CorrelationSpec } from './types.ts';
import { percentile, toNumber } from './values.ts';

/** Feeds matches in the order given; returns every alert fired, in order. */
function run(engine: CorrelationEngine, matches: RuleMatch[]): CorrelationAlert[] {
  const out: CorrelationAlert[] = [];
  for (const m of matches) out.push(...engine.onMatch(m).fired);
  return out;
}

const failed = (t: number, user = 'alice', extra: Record<string, unknown> = {}) => match('failed_login', t, { User: user, ...extra });

describe('event_count', () => {
  const brute = (o: Partial<CorrelationSpec> = {}) =>
    spec({ id: 'brute', type: 'event_count', rules: ['failed_login'], group_by: ['User'], timespan_ms: 5 * M, condition: { gte: 3 }, ...o });

  it('fires when the count is reached inside the window, with the window, value and matches', () => {
    const e = new CorrelationEngine([brute()], options());
    const ms = [failed(T0), failed(T0 + 1 * M), failed(T0 + 2 * M)];
    assert.deepEqual(e.onMatch(ms[0]).fired, []);
    assert.deepEqual(e.onMatch(ms[1]).fired, []);
    const r = e.onMatch(ms[2]);
    assert.equal(r.fired.length, 1);
    const a = r.fired[0];
    assert.equal(a.rule.id, 'brute');
    assert.equal(a.rule.level, 'high');
    assert.equal(a.type, 'event_count');
    assert.deepEqual(a.group, { User: 'alice' });
    assert.equal(a.start, T0);
    assert.equal(a.end, T0 + 2 * M);
    assert.equal(a.value, 3);
    assert.equal(a.matchCount, 3);
    assert.deepEqual(a.matches, ms);
    assert.equal(a.suppressed, false);
  });

  it('window edge is inclusive: matches exactly one timespan apart share a window', () => {
    const e = new CorrelationEngine([brute()], options());
    const fired = run(e, [failed(T0), failed(T0 + 2 * M), failed(T0 + 5 * M)]);
    assert.equal(fired.length, 1);
    assert.equal(fired[0].end - fired[0].start, 5 * M);
  });

  it('one millisecond past the edge is outside the window', () => {
    const e = new CorrelationEngine([brute()], options());
    assert.deepEqual(run(e, [failed(T0), failed(T0 + 2 * M), failed(T0 + 5 * M + 1)]), []);
    // the window that ends at the third match holds two: one more inside it fires
    const fired = run(e, [failed(T0 + 6 * M)]);
    assert.equal(fired.length, 1);
    assert.equal(fired[0].start, T0 + 2 * M);
  });

  it('matches spread wider than the timespan never fire', () => {
    const e = new CorrelationEngine([brute()], options());
    assert.deepEqual(run(e, Array.from({ length: 20 }, (_, i) => failed(T0 + i * 3 * M))), []);
  });

  it('re-arm: each match feeds one alert; a burst fires once per crossing, not on every later match', () => {
    const e = new CorrelationEngine([brute({ condition: { gte: 10 } })], options());
    const fired = run(e, Array.from({ length: 25 }, (_, i) => failed(T0 + i * S)));
    assert.deepEqual(
      fired.map((a) => [a.value, (a.start - T0) / S, (a.end - T0) / S]),
      [
        [10, 0, 9],
        [10, 10, 19],
      ],
    );
    assert.equal(e.stats().eventsHeld, 5);
    assert.equal(e.stats().fired, 2);
  });

  it('groups are separate: interleaved users each below the threshold never fire', () => {
    const e = new CorrelationEngine([brute()], options());
    const ms = [];
    for (let i = 0; i < 4; i++) for (const u of ['a', 'b', 'c', 'd', 'e']) ms.push(failed(T0 + i * M + ms.length, u));
    // each user has 4 matches spread over 3 minutes: every user fires exactly once (at its third)
    const fired = run(e, ms);
    assert.deepEqual(fired.map((a) => a.group.User).sort(), ['a', 'b', 'c', 'd', 'e']);
    assert.ok(fired.every((a) => a.value === 3 && a.matches.every((m) => m.event.get('User') === a.group.User)));
    const e2 = new CorrelationEngine([brute()], options());
    assert.deepEqual(run(e2, ['a', 'b', 'a', 'b'].map((u, i) => failed(T0 + i * S, u))), []);
  });

  it('several group-by fields; numbers and numeric strings are the same value; missing field → ungrouped', () => {
    const e = new CorrelationEngine([brute({ group_by: ['User', 'port'] })], options());
    const fired = run(e, [
      failed(T0, 'alice', { port: 22 }),
      failed(T0 + 1, 'alice', { port: '22' }),
      failed(T0 + 2, 'alice', { port: 23 }),
      failed(T0 + 3, 'alice'), // no port: takes no part
      failed(T0 + 4, 'alice', { port: null }),
      failed(T0 + 5, 'alice', { port: 22 }),
    ]);
    assert.equal(fired.length, 1);
    assert.deepEqual(fired[0].group, { User: 'alice', port: 22 });
    assert.equal(fired[0].matchCount, 3);
    assert.equal(e.stats().ungrouped, 2);
  });

  it('no group-by: one group for everything', () => {
    const e = new CorrelationEngine([brute({ group_by: [] })], options());
    const fired = run(e, [failed(T0, 'a'), failed(T0 + 1, 'b'), failed(T0 + 2, 'c')]);
    assert.equal(fired.length, 1);
    assert.deepEqual(fired[0].group, {});
  });

  it('counts matches of several rules together, referenced by name or by id', () => {
    const e = new CorrelationEngine([brute({ rules: ['failed_login', 'id-locked_out'] })], options());
    const fired = run(e, [failed(T0), match('locked_out', T0 + 1, { User: 'alice' }), match('other', T0 + 2, { User: 'alice' }), failed(T0 + 3)]);
    assert.equal(fired.length, 1);
    assert.deepEqual(
      fired[0].matches.map((m) => m.rule.name),
      ['failed_login', 'locked_out', 'failed_login'],
    );
  });

  it('contributing matches are bounded by maxMatchesPerAlert; matchCount has the total', () => {
    const e = new CorrelationEngine([brute({ condition: { gte: 30 } })], options({ maxMatchesPerAlert: 5 }));
    const fired = run(e, Array.from({ length: 30 }, (_, i) => failed(T0 + i)));
    assert.equal(fired.length, 1);
    assert.equal(fired[0].matches.length, 5);
    assert.equal(fired[0].matchCount, 30);
    assert.equal(fired[0].matches[0].time, T0);
  });
});

describe('value_count', () => {
  const spray = spec({
    id: 'spray',
    type: 'value_count',
    rules: ['failed_login'],
    group_by: ['source.ip'],
    timespan_ms: 10 * M,
    condition: { field: 'User', gte: 3 },
  });
  const f = (t: number, user: unknown, ip = '203.0.113.9') => match('failed_login', t, { User: user, source: { ip } });

  it('counts distinct values of the field; repeats do not count', () => {
    const e = new CorrelationEngine([spray], options());
    const fired = run(e, [f(T0, 'a'), f(T0 + 1, 'a'), f(T0 + 2, 'b'), f(T0 + 3, 'b'), f(T0 + 4, 'c')]);
    assert.equal(fired.length, 1);
    assert.equal(fired[0].value, 3);
    assert.equal(fired[0].matchCount, 5);
    assert.deepEqual(fired[0].group, { 'source.ip': '203.0.113.9' });
  });

  it('inclusive edge, exclusive beyond it, and separate per source', () => {
    const e = new CorrelationEngine([spray], options());
    assert.equal(run(e, [f(T0, 'a'), f(T0 + 5 * M, 'b', '198.51.100.1'), f(T0 + 6 * M, 'b'), f(T0 + 10 * M, 'c')]).length, 1);
    const e2 = new CorrelationEngine([spray], options());
    assert.equal(run(e2, [f(T0, 'a'), f(T0 + 6 * M, 'b'), f(T0 + 10 * M + 1, 'c')]).length, 0);
  });

  it('a match without the field is ignored (valueless), not counted as a value', () => {
    const e = new CorrelationEngine([spray], options());
    assert.equal(run(e, [f(T0, 'a'), f(T0 + 1, undefined), f(T0 + 2, null), f(T0 + 3, 'b')]).length, 0);
    assert.equal(e.stats().valueless, 2);
    assert.equal(run(e, [f(T0 + 4, 'c')]).length, 1);
  });

  it('after firing, the next alert needs new distinct values from new matches', () => {
    const e = new CorrelationEngine([spray], options());
    const fired = run(e, ['a', 'b', 'c', 'a', 'b', 'c', 'd'].map((u, i) => f(T0 + i, u)));
    assert.deepEqual(
      fired.map((a) => a.end - T0),
      [2, 5],
    );
  });
});

describe('temporal', () => {
  const recon = (o: Partial<CorrelationSpec> = {}) =>
    spec({ id: 'recon', type: 'temporal', rules: ['whoami', 'net_user', 'ipconfig'], group_by: ['Computer'], timespan_ms: 5 * M, ...o });
  const cmd = (rule: string, t: number, host = 'ws1') => match(rule, t, { Computer: host });

  it('all referenced rules within the timespan, in any order, fire', () => {
    const e = new CorrelationEngine([recon()], options());
    const fired = run(e, [cmd('ipconfig', T0), cmd('whoami', T0 + M), cmd('ipconfig', T0 + 2 * M), cmd('net_user', T0 + 3 * M)]);
    assert.equal(fired.length, 1);
    assert.equal(fired[0].value, 3);
    assert.equal(fired[0].start, T0);
    assert.equal(fired[0].end, T0 + 3 * M);
  });

  it('one rule missing: no alert; on another host: no alert', () => {
    const e = new CorrelationEngine([recon()], options());
    assert.deepEqual(run(e, [cmd('ipconfig', T0), cmd('whoami', T0 + 1), cmd('whoami', T0 + 2), cmd('net_user', T0 + 3, 'ws2')]), []);
  });

  it('exactly on the edge fires; one millisecond beyond does not', () => {
    const e = new CorrelationEngine([recon()], options());
    assert.equal(run(e, [cmd('whoami', T0), cmd('net_user', T0 + M), cmd('ipconfig', T0 + 5 * M)]).length, 1);
    const e2 = new CorrelationEngine([recon()], options());
    assert.equal(run(e2, [cmd('whoami', T0), cmd('net_user', T0 + M), cmd('ipconfig', T0 + 5 * M + 1)]).length, 0);
  });

  it('a condition on the number of distinct rules (gte 2 of 3)', () => {
    const e = new CorrelationEngine([recon({ condition: { gte: 2 } })], options());
    assert.equal(run(e, [cmd('whoami', T0), cmd('whoami', T0 + 1)]).length, 0);
    const fired = run(e, [cmd('ipconfig', T0 + 2)]);
    assert.equal(fired.length, 1);
    assert.equal(fired[0].value, 2);
  });
});

describe('temporal_ordered', () => {
  const chain = spec({
    id: 'dropper',
    type: 'temporal_ordered',
    rules: ['download', 'write_exe', 'run_exe'],
    group_by: ['host'],
    timespan_ms: 10 * M,
  });
  const ev = (rule: string, t: number, host = 'h1') => match(rule, t, { host });

  it('the wrong order does not fire', () => {
    const e = new CorrelationEngine([chain], options());
    assert.deepEqual(run(e, [ev('run_exe', T0), ev('write_exe', T0 + M), ev('download', T0 + 2 * M)]), []);
    assert.deepEqual(run(e, [ev('download', T0 + 3 * M), ev('run_exe', T0 + 4 * M), ev('write_exe', T0 + 5 * M)]), []);
  });

  it('the right order fires, reporting the chain', () => {
    const e = new CorrelationEngine([chain], options());
    const fired = run(e, [ev('run_exe', T0), ev('download', T0 + M), ev('download', T0 + 2 * M), ev('write_exe', T0 + 3 * M), ev('run_exe', T0 + 4 * M)]);
    assert.equal(fired.length, 1);
    const a = fired[0];
    assert.equal(a.value, 3);
    assert.deepEqual(
      a.matches.map((m) => [m.rule.name, m.time - T0]),
      [
        ['download', M],
        ['write_exe', 3 * M],
        ['run_exe', 4 * M],
      ],
    );
    assert.equal(a.start, T0 + M);
    assert.equal(a.end, T0 + 4 * M);
  });

  it('equal times count as in order (decided by event time, not arrival)', () => {
    const e = new CorrelationEngine([chain], options());
    // arrival order run, write, download — all at the same instant
    assert.equal(run(e, [ev('run_exe', T0), ev('write_exe', T0), ev('download', T0)]).length, 1);
  });

  it('edge: first to last exactly one timespan fires, one millisecond more does not', () => {
    const e = new CorrelationEngine([chain], options());
    assert.equal(run(e, [ev('download', T0), ev('write_exe', T0 + M), ev('run_exe', T0 + 10 * M)]).length, 1);
    const e2 = new CorrelationEngine([chain], options());
    assert.equal(run(e2, [ev('download', T0), ev('write_exe', T0 + M), ev('run_exe', T0 + 10 * M + 1)]).length, 0);
  });
});

describe('value_sum, value_avg, value_percentile', () => {
  const up = (t: number, bytes: unknown, user = 'alice') => match('upload', t, { User: user, bytes });

  it('value_sum (lower bound: sliding) fires as soon as the sum is reached; numeric strings count, others are ignored', () => {
    const e = new CorrelationEngine(
      [spec({ id: 'exfil', type: 'value_sum', rules: ['upload'], group_by: ['User'], timespan_ms: M, condition: { field: 'bytes', gte: 1000 } })],
      options(),
    );
    const fired = run(e, [up(T0, 400), up(T0 + 1, 'lots'), up(T0 + 2, true), up(T0 + 3, [500]), up(T0 + 4, ' 300 '), up(T0 + 5, '1e2'), up(T0 + 6, 199)]);
    assert.equal(fired.length, 0);
    assert.equal(e.stats().valueless, 3);
    const last = run(e, [up(T0 + 7, 1)]);
    assert.equal(last.length, 1);
    assert.equal(last[0].value, 1000);
    assert.equal(last[0].matchCount, 5);
    // the window slides: old bytes fall out
    assert.equal(run(e, [up(T0 + 2 * M, 600), up(T0 + 3 * M + 1, 600)]).length, 0);
  });

  it('value_avg is evaluated when its window closes (watermark past start + timespan), edge included', () => {
    const avg = spec({ id: 'avg', type: 'value_avg', rules: ['upload'], group_by: ['User'], timespan_ms: M, condition: { field: 'bytes', gt: 100 } });
    const e = new CorrelationEngine([avg], options());
    // one big value does not fire at once: the average is over the whole window
    assert.deepEqual(run(e, [up(T0, 1000), up(T0 + 30 * S, 10), up(T0 + M, 20)]), []);
    // T0 + M is inside the window [T0, T0 + M]: (1000 + 10 + 20) / 3 > 100; watermark at T0 + M does not close it yet
    assert.deepEqual(e.advanceTo(T0 + M), []);
    const fired = e.advanceTo(T0 + M + 1);
    assert.equal(fired.length, 1);
    assert.equal(fired[0].value, 1030 / 3);
    assert.equal(fired[0].start, T0);
    assert.equal(fired[0].end, T0 + M);
    assert.equal(e.stats().groupsHeld, 0);
  });

  it('value_avg: a match one millisecond past the window opens the next window', () => {
    const avg = spec({ id: 'avg', type: 'value_avg', rules: ['upload'], group_by: ['User'], timespan_ms: M, condition: { field: 'bytes', lt: 50 } });
    const e = new CorrelationEngine([avg], options());
    const fired = run(e, [up(T0, 10), up(T0 + M + 1, 1000), up(T0 + 3 * M, 1)]);
    // [T0, T0+M] = {10}: avg 10 < 50 fires when the watermark passes T0+M; {1000} does not
    assert.deepEqual(
      fired.map((a) => [a.value, a.start - T0]),
      [[10, 0]],
    );
    const rest = e.flush();
    assert.deepEqual(
      rest.map((a) => [a.value, a.start - T0]),
      [[1, 3 * M]],
    );
  });

  it('value_percentile: nearest rank over the window', () => {
    const p95 = spec({
      id: 'slow',
      type: 'value_percentile',
      rules: ['upload'],
      group_by: ['User'],
      timespan_ms: 15 * M,
      condition: { field: 'bytes', percentile: 95, gte: 19 },
    });
    const e = new CorrelationEngine([p95], options());
    // values 1..20 in shuffled order: p95 by nearest rank = ceil(0.95·20) = 19th smallest = 19
    const values = [7, 20, 3, 15, 1, 12, 19, 5, 9, 14, 2, 18, 11, 6, 17, 4, 13, 8, 16, 10];
    run(e, values.map((v, i) => up(T0 + i * S, v)));
    const fired = e.flush();
    assert.equal(fired.length, 1);
    assert.equal(fired[0].value, 19);
    const e2 = new CorrelationEngine([{ ...p95, condition: { field: 'bytes', percentile: 95, gte: 19.5 } }], options());
    run(e2, values.map((v, i) => up(T0 + i * S, v)));
    assert.deepEqual(e2.flush(), []);
  });

  it('percentile and number helpers', () => {
    assert.equal(percentile([15, 20, 35, 40, 50], 30), 20);
    assert.equal(percentile([15, 20, 35, 40, 50], 40), 20);
    assert.equal(percentile([15, 20, 35, 40, 50], 50), 35);
    assert.equal(percentile([15, 20, 35, 40, 50], 100), 50);
    assert.equal(percentile([15, 20, 35, 40, 50], 0), 15);
    assert.equal(percentile([3], 95), 3);
    assert.equal(toNumber('  42 '), 42);
    assert.equal(toNumber('-1.5e3'), -1500);
    for (const bad of ['0x10', '', 'NaN', 'Infinity', '1,000', null, undefined, true, [1], {}]) assert.equal(toNumber(bad), undefined, String(bad));
    assert.equal(toNumber(Number.NaN), undefined);
  });
});

describe('conditions: ranges, eq, neq, upper bounds', () => {
  const c = (condition: CorrelationSpec['condition']) =>
    spec({ id: 'c', type: 'event_count', rules: ['failed_login'], group_by: ['User'], timespan_ms: M, condition });
  /** Feeds n matches for a user inside one window (bursts overlap in time: the engines allow 1 s lateness). */
  const burst = (e: CorrelationEngine, n: number, user: string, at: number) => {
    const fired = run(e, Array.from({ length: n }, (_, i) => failed(at + i, user)));
    return fired;
  };

  it('a range (gt 3, lte 5) is judged on the closed window: 3 no, 4 and 5 yes, 7 no', () => {
    const e = new CorrelationEngine([c({ gt: 3, lte: 5 })], options({ allowedLatenessMs: S }));
    for (const [n, user] of [
      [3, 'three'],
      [4, 'four'],
      [5, 'five'],
      [7, 'seven'],
    ] as const) {
      assert.deepEqual(burst(e, n, user, T0), [], 'nothing fires before the window closes');
    }
    // windows [T0, T0 + M] close once the watermark (time − 1 s lateness) passes T0 + M
    assert.deepEqual(e.advanceTo(T0 + M + S), []);
    const fired = e.advanceTo(T0 + M + S + 1);
    assert.deepEqual(fired.map((a) => [a.group.User, a.value]).sort(), [
      ['five', 5],
      ['four', 4],
    ]);
  });

  it('eq and neq', () => {
    const e = new CorrelationEngine([c({ eq: 2 })], options({ allowedLatenessMs: S }));
    burst(e, 2, 'two', T0);
    burst(e, 3, 'three', T0);
    assert.deepEqual(
      e.flush().map((a) => a.group.User),
      ['two'],
    );
    const e2 = new CorrelationEngine([c({ neq: 2, lte: 3 })], options({ allowedLatenessMs: S }));
    burst(e2, 1, 'one', T0);
    burst(e2, 2, 'two', T0);
    burst(e2, 3, 'three', T0);
    assert.deepEqual(e2.flush().map((a) => a.group.User).sort(), ['one', 'three']);
  });

  it('lt: fewer than N in the window that starts at the first match', () => {
    const e = new CorrelationEngine([c({ lt: 3 })], options({ allowedLatenessMs: S }));
    burst(e, 2, 'few', T0);
    burst(e, 5, 'many', T0);
    assert.deepEqual(
      e.advanceTo(T0 + 2 * M).map((a) => [a.group.User, a.value]),
      [['few', 2]],
    );
  });

  it('gt (strict) needs one more than the number', () => {
    const e = new CorrelationEngine([c({ gt: 3 })], options());
    assert.equal(burst(e, 3, 'a', T0).length, 0);
    assert.equal(burst(e, 1, 'a', T0 + 10).length, 1);
  });
});

describe('out-of-order and late matches', () => {
  const brute = spec({ id: 'brute', type: 'event_count', rules: ['failed_login'], group_by: ['User'], timespan_ms: 20 * S, condition: { gte: 3 } });

  it('an earlier match arriving later still counts in its window', () => {
    const e = new CorrelationEngine([brute], options({ allowedLatenessMs: 30 * S }));
    // 10 s and 30 s: not in one 20 s window with anything else; 20 s arrives last and joins [10, 30]
    assert.deepEqual(run(e, [failed(T0 + 10 * S), failed(T0 + 30 * S)]), []);
    const r = e.onMatch(failed(T0 + 20 * S));
    assert.equal(r.late, false);
    assert.equal(r.fired.length, 1);
    assert.equal(r.fired[0].start, T0 + 10 * S);
    assert.equal(r.fired[0].end, T0 + 30 * S);
  });

  it('out of order, the earliest window that meets the condition fires, and later matches stay for the next', () => {
    const e = new CorrelationEngine([brute], options({ allowedLatenessMs: M }));
    assert.deepEqual(run(e, [failed(T0 + 40 * S), failed(T0 + 15 * S), failed(T0 + 45 * S)]), []);
    // 5 s arrives: window ending at 15 s = {5, 15} no; window ending at 40 s… {40, 45} are later: no
    assert.deepEqual(run(e, [failed(T0 + 5 * S)]), []);
    // 10 s arrives: window [−10, 10] = {5, 10}; window ending at 15 = {5, 10, 15} fires
    const r = run(e, [failed(T0 + 10 * S)]);
    assert.deepEqual(
      r.map((a) => [(a.start - T0) / S, (a.end - T0) / S]),
      [[5, 15]],
    );
    // {40, 45} wait for a third
    assert.equal(run(e, [failed(T0 + 41 * S)]).length, 1);
  });

  it('arrival order does not matter for these windows: reversed input gives the same alerts as sorted', () => {
    const times = [0, 1, 2, 3, 4, 5, 30, 31, 32, 60, 90, 91].map((s) => T0 + s * S);
    const sorted = new CorrelationEngine([brute], options({ allowedLatenessMs: 2 * M }));
    const a = run(sorted, times.map((t) => failed(t)));
    const reversed = new CorrelationEngine([brute], options({ allowedLatenessMs: 2 * M }));
    const b = run(reversed, [...times].reverse().map((t) => failed(t)));
    const shape = (xs: CorrelationAlert[]) => xs.map((x) => [x.start, x.end, x.value]).sort((p, q) => p[0] - q[0]);
    assert.equal(a.length, 3);
    assert.deepEqual(shape(b), shape(a));
  });

  it('beyond the lateness: dropped, counted, reported late; exactly at the watermark: accepted', () => {
    const e = new CorrelationEngine([brute], options({ allowedLatenessMs: 5 * S }));
    run(e, [failed(T0 + 100 * S), failed(T0 + 101 * S)]);
    assert.equal(e.stats().watermark, T0 + 96 * S);
    const late = e.onMatch(failed(T0 + 96 * S - 1));
    assert.equal(late.late, true);
    assert.deepEqual(late.fired, []);
    assert.equal(e.stats().lateDropped, 1);
    const edge = e.onMatch(failed(T0 + 96 * S));
    assert.equal(edge.late, false);
    assert.equal(edge.fired.length, 1);
    // a late match of a rule no correlation uses is not counted
    assert.equal(e.onMatch(match('unrelated', T0)).late, true);
    assert.equal(e.stats().lateDropped, 1);
  });

  it('anchored windows: an earlier match arriving within the lateness moves the window start', () => {
    const avg = spec({ id: 'few', type: 'event_count', rules: ['failed_login'], group_by: ['User'], timespan_ms: 20 * S, condition: { lte: 2 } });
    const e = new CorrelationEngine([avg], options({ allowedLatenessMs: 30 * S }));
    run(e, [failed(T0 + 25 * S), failed(T0 + 30 * S), failed(T0 + 10 * S)]);
    // windows: [10, 30] = {10, 25, 30} → 3, not <= 2
    assert.deepEqual(e.advanceTo(T0 + 60 * S + 1), []);
    assert.equal(e.stats().groupsHeld, 0);
    // and in order, [25, 45] = {25, 30} fires
    const e2 = new CorrelationEngine([avg], options({ allowedLatenessMs: 30 * S }));
    run(e2, [failed(T0 + 25 * S), failed(T0 + 30 * S)]);
    assert.equal(e2.advanceTo(T0 + 76 * S).length, 1);
  });

  it('invalid times are ignored and counted', () => {
    const e = new CorrelationEngine([brute], options());
    assert.deepEqual(e.onMatch(failed(Number.NaN)).fired, []);
    assert.equal(e.stats().invalid, 1);
    assert.equal(e.stats().watermark, -Infinity);
  });
});

describe('aliases', () => {
  // the specification's example: the same address as destination in one rule, as source in the other
  const corr = spec({
    id: 'ip-pair',
    type: 'temporal',
    rules: ['internal_error', 'new_network_connection'],
    group_by: ['internal_ip', 'remote_ip'],
    timespan_ms: 10 * S,
    aliases: {
      internal_ip: { internal_error: 'destination.ip', new_network_connection: 'source.ip' },
      remote_ip: { internal_error: 'source.ip', new_network_connection: 'destination.ip' },
    },
  });
  const err = (t: number, src: string, dst: string) => match('internal_error', t, { source: { ip: src }, destination: { ip: dst } });
  const conn = (t: number, src: string, dst: string) => match('new_network_connection', t, { source: { ip: src }, destination: { ip: dst } });

  it('reads each rule through its own field into one group field', () => {
    const e = new CorrelationEngine([corr], options());
    const fired = run(e, [err(T0, '198.51.100.7', '10.0.0.5'), conn(T0 + 3 * S, '10.0.0.5', '198.51.100.7')]);
    assert.equal(fired.length, 1);
    assert.deepEqual(fired[0].group, { internal_ip: '10.0.0.5', remote_ip: '198.51.100.7' });
  });

  it('the same addresses in the same fields (not swapped) are different groups', () => {
    const e = new CorrelationEngine([corr], options());
    assert.deepEqual(run(e, [err(T0, '198.51.100.7', '10.0.0.5'), conn(T0 + 3 * S, '198.51.100.7', '10.0.0.5')]), []);
  });

  it('an alias can name the value field of value_count', () => {
    const vc = spec({
      id: 'fanout',
      type: 'value_count',
      rules: ['a', 'b'],
      group_by: ['host'],
      timespan_ms: M,
      condition: { field: 'peer', gte: 2 },
      aliases: { peer: { a: 'dst', b: 'remote' } },
    });
    const e = new CorrelationEngine([vc], options());
    const fired = run(e, [match('a', T0, { host: 'h', dst: 'x', remote: 'y' }), match('b', T0 + 1, { host: 'h', dst: 'x', remote: 'z' })]);
    assert.equal(fired.length, 1);
    assert.equal(fired[0].value, 2);
  });
});

describe('chaining and generate', () => {
  const many = (o: Partial<CorrelationSpec> = {}) =>
    spec({ id: 'many-id', name: 'many_failed', type: 'event_count', rules: ['failed_login'], group_by: ['User'], timespan_ms: 10 * M, condition: { gte: 3 }, ...o });
  const then = (o: Partial<CorrelationSpec> = {}) =>
    spec({ id: 'then-id', name: 'failed_then_ok', type: 'temporal_ordered', rules: ['many_failed', 'login_ok'], group_by: ['User'], timespan_ms: 10 * M, ...o });
  const ok = (t: number, user = 'alice') => match('login_ok', t, { User: user, host: 'dc1' });

  it('a correlation of correlations fires from the inner alert, at its window end', () => {
    const e = new CorrelationEngine([then(), many()], options());
    const r1 = run(e, [failed(T0), failed(T0 + M), failed(T0 + 2 * M)]);
    assert.equal(r1.length, 1);
    assert.equal(r1[0].rule.id, 'many-id');
    assert.equal(r1[0].suppressed, true, 'the inner correlation only feeds the outer one');
    const r2 = run(e, [ok(T0 + 3 * M)]);
    assert.equal(r2.length, 1);
    const outer = r2[0];
    assert.equal(outer.rule.id, 'then-id');
    assert.equal(outer.suppressed, false);
    assert.deepEqual(outer.group, { User: 'alice' });
    assert.equal(outer.start, T0 + 2 * M);
    assert.equal(outer.end, T0 + 3 * M);
    const inner = outer.matches[0];
    assert.equal(inner.rule.id, 'many-id');
    assert.equal(inner.time, T0 + 2 * M);
    assert.equal((inner.event.record as CorrelationAlert).value, 3);
    // the chained event reads group values, then fields of the contributing matches
    assert.equal(inner.event.get('User'), 'alice');
  });

  it('the inner alert and the outer one can fire from the same match', () => {
    const outer = spec({ id: 'o', type: 'event_count', rules: ['many_failed'], group_by: ['User'], timespan_ms: 10 * M, condition: { gte: 1 } });
    const e = new CorrelationEngine([many(), outer], options());
    const fired = run(e, [failed(T0), failed(T0 + 1), failed(T0 + 2)]);
    assert.deepEqual(
      fired.map((a) => a.rule.id),
      ['many-id', 'o'],
    );
  });

  it('success before the failures (wrong order) does not fire the chain', () => {
    const e = new CorrelationEngine([many(), then()], options());
    assert.deepEqual(
      run(e, [ok(T0), failed(T0 + 1), failed(T0 + 2), failed(T0 + 3)]).map((a) => a.rule.id),
      ['many-id'],
    );
  });

  it('generate false (default): base rules and inner correlations are withheld', () => {
    const e = new CorrelationEngine([many(), then()], options());
    assert.equal(e.onMatch(failed(T0)).suppressBase, true);
    assert.equal(e.onMatch(ok(T0)).suppressBase, true);
    assert.equal(e.onMatch(match('unrelated', T0)).suppressBase, false);
  });

  it('generate true: the referenced rules and correlations keep their own alerts', () => {
    const e = new CorrelationEngine([many({ generate: true }), then({ generate: true })], options());
    assert.equal(e.onMatch(failed(T0)).suppressBase, false);
    assert.equal(e.onMatch(ok(T0)).suppressBase, false);
    const fired = run(e, [failed(T0 + 1), failed(T0 + 2)]);
    assert.equal(fired[0].suppressed, false);
  });

  it('a rule referenced by two correlations is withheld only if neither generates', () => {
    const other = spec({ id: 'other', type: 'event_count', rules: ['failed_login'], group_by: [], timespan_ms: M, condition: { gte: 100 }, generate: true });
    const e = new CorrelationEngine([many(), other], options({ maxEventsPerGroup: 200 }));
    assert.equal(e.onMatch(failed(T0)).suppressBase, false);
    const e2 = new CorrelationEngine([many(), { ...other, generate: false }], options({ maxEventsPerGroup: 200 }));
    assert.equal(e2.onMatch(failed(T0)).suppressBase, true);
  });
});

describe('out-of-order arrival, every sliding type', () => {
  const late = options({ allowedLatenessMs: 10 * M });

  it('temporal_ordered: in order by event time but arriving reversed still fires; reversed event times do not', () => {
    const s = spec({ id: 'o', type: 'temporal_ordered', rules: ['a', 'b', 'c'], group_by: ['h'], timespan_ms: M });
    const e = new CorrelationEngine([s], late);
    const fired = run(e, [match('c', T0 + 20 * S, { h: 1 }), match('b', T0 + 10 * S, { h: 1 }), match('a', T0, { h: 1 })]);
    assert.equal(fired.length, 1);
    assert.deepEqual(
      fired[0].matches.map((m) => m.rule.name),
      ['a', 'b', 'c'],
    );
    const e2 = new CorrelationEngine([s], late);
    assert.deepEqual(run(e2, [match('a', T0 + 20 * S, { h: 1 }), match('b', T0 + 10 * S, { h: 1 }), match('c', T0, { h: 1 })]), []);
  });

  it('value_count: a late distinct value completes a window that ends at a later match', () => {
    const s = spec({ id: 'v', type: 'value_count', rules: ['r'], group_by: [], timespan_ms: 10 * S, condition: { field: 'u', gte: 3 } });
    const e = new CorrelationEngine([s], late);
    assert.deepEqual(run(e, [match('r', T0, { u: 'a' }), match('r', T0 + 9 * S, { u: 'a' }), match('r', T0 + 20 * S, { u: 'c' })]), []);
    // 'b' at 5 s: window [−5, 5] = {a, b}; window ending at 9 s = {a, b, a} → 2; nothing yet
    assert.deepEqual(run(e, [match('r', T0 + 5 * S, { u: 'b' })]), []);
    // 'c' at 12 s: windows ending at 12 s ({a@9, c}… with b@5 → a, b, c) fires; 20 s stays
    const fired = run(e, [match('r', T0 + 12 * S, { u: 'c' })]);
    assert.deepEqual(
      fired.map((a) => [(a.start - T0) / S, (a.end - T0) / S, a.value]),
      [[5, 12, 3]],
    );
    assert.equal(e.stats().eventsHeld, 2); // a@0 (outside every window that fired) and c@20
  });

  it('value_sum: a late value joins the windows that contain it', () => {
    const s = spec({ id: 's', type: 'value_sum', rules: ['r'], group_by: [], timespan_ms: 10 * S, condition: { field: 'n', gte: 10 } });
    const e = new CorrelationEngine([s], late);
    run(e, [match('r', T0, { n: 4 }), match('r', T0 + 20 * S, { n: 4 }), match('r', T0 + 30 * S, { n: 5 })]);
    const fired = run(e, [match('r', T0 + 25 * S, { n: '2' })]);
    assert.deepEqual(
      fired.map((a) => [(a.start - T0) / S, (a.end - T0) / S, a.value]),
      [[20, 30, 11]],
    );
  });

  it('temporal: the missing rule arriving late fires the window', () => {
    const s = spec({ id: 't', type: 'temporal', rules: ['a', 'b'], group_by: [], timespan_ms: 10 * S });
    const e = new CorrelationEngine([s], late);
    run(e, [match('a', T0 + 5 * S), match('a', T0 + 30 * S)]);
    const fired = run(e, [match('b', T0)]);
    assert.deepEqual(
      fired.map((a) => [(a.start - T0) / S, (a.end - T0) / S]),
      [[0, 5]],
    );
  });
});

describe('state lifecycle and bounds', () => {
  const brute = (o: Partial<CorrelationSpec> = {}) =>
    spec({ id: 'b', type: 'event_count', rules: ['failed_login'], group_by: ['User'], timespan_ms: M, condition: { gte: 3 }, ...o });

  it('maxGroupsPerRule evicts the group least recently advanced in event time', () => {
    const e = new CorrelationEngine([brute()], options({ maxGroupsPerRule: 2 }));
    run(e, [failed(T0, 'a'), failed(T0 + 1, 'b'), failed(T0 + 2, 'a'), failed(T0 + 3, 'c')]);
    // b was least recent when c arrived: gone; a kept its two matches
    assert.equal(e.stats().groupsEvicted, 1);
    assert.equal(e.stats().groupsHeld, 2);
    assert.equal(run(e, [failed(T0 + 4, 'a')]).length, 1);
    assert.equal(run(e, [failed(T0 + 5, 'b'), failed(T0 + 6, 'b')]).length, 0, 'b starts over');
  });

  it('maxEventsPerGroup drops the oldest match (anchored mode: the window start moves)', () => {
    const s = spec({ id: 'avg', type: 'value_avg', rules: ['r'], group_by: [], timespan_ms: M, condition: { field: 'n', gte: 10 } });
    const e = new CorrelationEngine([s], options({ maxEventsPerGroup: 3, allowedLatenessMs: M }));
    run(e, [match('r', T0, { n: 100 }), match('r', T0 + 1, { n: 1 }), match('r', T0 + 2, { n: 1 }), match('r', T0 + 3, { n: 1 })]);
    assert.equal(e.stats().eventsDropped, 1);
    assert.equal(e.stats().eventsHeld, 3);
    // an older match than all held ones is the one dropped
    run(e, [match('r', T0 - 1, { n: 1000 })]);
    assert.equal(e.stats().eventsDropped, 2);
    const fired = e.flush();
    assert.deepEqual(fired, [], 'the 100 was dropped: the average of 1, 1, 1 is below 10');
  });

  it('state past watermark − timespan is released, even for groups never touched again', () => {
    const e = new CorrelationEngine([brute()], options());
    run(e, ['a', 'b', 'c', 'd'].map((u, i) => failed(T0 + i, u)));
    assert.equal(e.stats().groupsHeld, 4);
    e.advanceTo(T0 + M);
    assert.equal(e.stats().groupsHeld, 4, 'a (at T0) can still share a window with a match at the watermark');
    e.advanceTo(T0 + M + 1);
    assert.equal(e.stats().groupsHeld, 3, 'a (at T0) is now older than every possible window');
    e.advanceTo(T0 + 2 * M);
    assert.deepEqual([e.stats().groupsHeld, e.stats().eventsHeld], [0, 0]);
  });

  it('a correlation that fires and empties its group releases it', () => {
    const e = new CorrelationEngine([brute()], options());
    run(e, [failed(T0), failed(T0 + 1), failed(T0 + 2)]);
    assert.deepEqual([e.stats().groupsHeld, e.stats().eventsHeld], [0, 0]);
  });

  it('chaining from an anchored correlation: the outer one sees the inner alert when its window closes', () => {
    const quiet = spec({ id: 'quiet', name: 'few_logins', type: 'event_count', rules: ['login_ok'], group_by: ['User'], timespan_ms: M, condition: { lte: 1 } });
    const outer = spec({ id: 'outer', type: 'temporal_ordered', rules: ['few_logins', 'admin_action'], group_by: ['User'], timespan_ms: 5 * M });
    const e = new CorrelationEngine([quiet, outer], options());
    run(e, [match('login_ok', T0, { User: 'eve' })]);
    assert.deepEqual(run(e, [match('admin_action', T0 + 30 * S, { User: 'eve' })]), [], 'the quiet window is still open');
    // the admin action at T0 + M + 1 moves the watermark past [T0, T0 + M]: the quiet window closes, its alert
    // (time T0, its last match) reaches the outer correlation, which already holds admin actions after T0
    const fired = run(e, [match('admin_action', T0 + M + 1, { User: 'eve' })]);
    assert.deepEqual(
      fired.map((a) => [a.rule.id, a.start - T0, a.end - T0]),
      [
        ['quiet', 0, 0],
        ['outer', 0, 30 * S],
      ],
    );
    assert.equal(fired[0].suppressed, true);
    assert.deepEqual(run(e, [match('admin_action', T0 + 2 * M, { User: 'eve' })]), [], 'the inner alert was consumed');
  });

  it('unreferenced rules cost nothing and are not suppressed', () => {
    const e = new CorrelationEngine([brute()], options());
    const r = e.onMatch(match('something_else', T0, { User: 'a' }));
    assert.deepEqual(r, { fired: [], suppressBase: false, late: false });
    assert.equal(e.stats().groupsHeld, 0);
  });
});
