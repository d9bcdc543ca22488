import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Incident } from '../core/index.ts';
import { responseStats } from './response-stats.ts';
import { makeIncident as baseIncident } from './testkit.ts';

const NO_SLA = { ack_minutes: null, resolve_minutes: null, ack_due: null, resolve_due: null, breached: false, breaches: [] };

const makeIncident = (overrides: Partial<Incident> = {}): Incident => baseIncident(overrides, { priority: 'P3', sla: NO_SLA });

/** An incident detected at `detected`, with the other times given as seconds from detection (negative: before). */
function timed(id: string, detected: string, t: { seen: number; ack?: number; resolved?: number; evidence?: number }, overrides: Partial<Incident> = {}): Incident {
  const rel = (s: number) => new Date(Date.parse(detected) + s * 1000).toISOString();
  const incident = makeIncident({
    id,
    detected_at: detected,
    first_seen: rel(t.seen),
    acknowledged_at: t.ack === undefined ? null : rel(t.ack),
    resolved_at: t.resolved === undefined ? null : rel(t.resolved),
    ...overrides,
  });
  return t.evidence === undefined ? incident : Object.assign(incident, { first_evidence_at: rel(t.evidence) });
}

const nullStats = { count: 0, mean_seconds: null, median_seconds: null, p90_seconds: null, max_seconds: null };

// Two weeks starting Monday 2024-03-04; two incidents each, and two just outside.
const INCIDENTS: Incident[] = [
  timed('INC-A', '2024-03-04T10:00:00.000Z', { seen: -60, ack: 120, resolved: 3600 }, {
    priority: 'P1',
    status: 'resolved',
    sla: { ...NO_SLA, breached: true, breaches: ['ack'] },
  }),
  timed('INC-B', '2024-03-05T10:00:00.000Z', { seen: -120, ack: 240, resolved: 7200 }, { priority: 'P1', status: 'closed' }),
  timed('INC-C', '2024-03-11T09:00:00.000Z', { seen: -180, ack: 360 }, { priority: 'P2', status: 'investigating' }),
  timed('INC-D', '2024-03-12T00:00:00.000Z', { seen: -600, evidence: -86_400 }, {
    priority: 'P3',
    status: 'new',
    // Not acknowledged, ack due 4 h after detection: a miss not yet recorded.
    sla: { ...NO_SLA, ack_minutes: 240, ack_due: '2024-03-12T04:00:00.000Z' },
  }),
  timed('INC-E', '2024-03-18T00:00:00.000Z', { seen: -1, ack: 1, resolved: 1 }, { priority: 'P1', status: 'new' }),
  timed('INC-F', '2024-03-03T23:59:59.000Z', { seen: -1, ack: 1, resolved: 1 }, { priority: 'P1', status: 'new' }),
];

const RANGE = { from: new Date('2024-03-04T00:00:00Z'), to: new Date('2024-03-18T00:00:00Z'), now: new Date('2024-03-20T00:00:00Z') };

describe('responseStats', () => {
  const stats = responseStats(INCIDENTS, { ...RANGE, period: 'week' });

  it('takes incidents detected in [from, to)', () => {
    assert.equal(stats.overall.incidents, 4);
    assert.equal(stats.from, '2024-03-04T00:00:00.000Z');
    assert.equal(stats.to, '2024-03-18T00:00:00.000Z');
    assert.equal(stats.period, 'week');
  });

  it('computes mean, median and p90 of each metric overall', () => {
    // MTTD 60, 120, 180, 600 s: median between 120 and 180; p90 at rank 2.7 = 180 + 0.7 × 420.
    assert.deepEqual(stats.overall.mttd, { count: 4, mean_seconds: 240, median_seconds: 150, p90_seconds: 474, max_seconds: 600 });
    // MTTA 120, 240, 360 s (D not acknowledged).
    assert.deepEqual(stats.overall.mtta, { count: 3, mean_seconds: 240, median_seconds: 240, p90_seconds: 336, max_seconds: 360 });
    // MTTR 3600, 7200 s.
    assert.deepEqual(stats.overall.mttr, { count: 2, mean_seconds: 5400, median_seconds: 5400, p90_seconds: 6840, max_seconds: 7200 });
    // Dwell: as MTTD, except D's evidence a day before detection: 60, 120, 180, 86400.
    assert.deepEqual(stats.overall.dwell, { count: 4, mean_seconds: 21_690, median_seconds: 150, p90_seconds: 60_534, max_seconds: 86_400 });
  });

  it('groups by priority, every priority present', () => {
    assert.deepEqual(Object.keys(stats.by_priority), ['P1', 'P2', 'P3', 'P4', 'P5']);
    assert.equal(stats.by_priority.P1.incidents, 2);
    assert.deepEqual(stats.by_priority.P1.mttd, { count: 2, mean_seconds: 90, median_seconds: 90, p90_seconds: 114, max_seconds: 120 });
    assert.deepEqual(stats.by_priority.P1.mttr, { count: 2, mean_seconds: 5400, median_seconds: 5400, p90_seconds: 6840, max_seconds: 7200 });
    assert.deepEqual(stats.by_priority.P2.mtta, { count: 1, mean_seconds: 360, median_seconds: 360, p90_seconds: 360, max_seconds: 360 });
    assert.deepEqual(stats.by_priority.P2.mttr, nullStats);
    assert.deepEqual(stats.by_priority.P3.dwell, { count: 1, mean_seconds: 86_400, median_seconds: 86_400, p90_seconds: 86_400, max_seconds: 86_400 });
    assert.deepEqual(stats.by_priority.P5, { incidents: 0, mttd: nullStats, mtta: nullStats, mttr: nullStats, dwell: nullStats });
  });

  it('groups by week, weeks starting Monday', () => {
    assert.deepEqual(
      stats.by_period.map((b) => [b.start, b.incidents]),
      [
        ['2024-03-04T00:00:00.000Z', 2],
        ['2024-03-11T00:00:00.000Z', 2],
      ],
    );
    assert.deepEqual(stats.by_period[0].mtta, { count: 2, mean_seconds: 180, median_seconds: 180, p90_seconds: 228, max_seconds: 240 });
    assert.deepEqual(stats.by_period[1].mttd, { count: 2, mean_seconds: 390, median_seconds: 390, p90_seconds: 558, max_seconds: 600 });
  });

  it('counts open incidents and SLA misses, including a miss found only now', () => {
    assert.deepEqual(stats.open, {
      total: 2,
      by_status: { new: 1, acknowledged: 0, investigating: 1, contained: 0 },
      by_priority: { P1: 0, P2: 1, P3: 1, P4: 0, P5: 0 },
    });
    assert.equal(stats.sla_breached, 2);
    // Before D's ack was due only A's recorded miss counts.
    assert.equal(responseStats(INCIDENTS, { ...RANGE, period: 'week', now: new Date('2024-03-12T03:00:00Z') }).sla_breached, 1);
  });

  it('is all zeros and nulls without incidents', () => {
    const empty = responseStats([], { ...RANGE, period: 'day' });
    assert.deepEqual(empty.overall, { incidents: 0, mttd: nullStats, mtta: nullStats, mttr: nullStats, dwell: nullStats });
    assert.equal(empty.by_period.length, 14);
    assert.equal(empty.open.total, 0);
    assert.equal(empty.sla_breached, 0);
  });

  it('clamps event times ahead of detection to zero and ignores unreadable evidence times', () => {
    const skewed = timed('INC-S', '2024-03-04T10:00:00.000Z', { seen: 30 });
    Object.assign(skewed, { first_evidence_at: 'not a time' });
    const { overall } = responseStats([skewed], { ...RANGE, period: 'week' });
    assert.deepEqual(overall.mttd, { count: 1, mean_seconds: 0, median_seconds: 0, p90_seconds: 0, max_seconds: 0 });
    assert.deepEqual(overall.dwell, overall.mttd);
  });
});

describe('responseStats periods', () => {
  const at = (detected: string) => timed(detected, detected, { seen: -10 });

  it('buckets by UTC day, the first bucket starting at the day of from', () => {
    const stats = responseStats([at('2024-03-04T11:00:00.000Z'), at('2024-03-04T12:00:00.000Z'), at('2024-03-05T23:59:59.999Z'), at('2024-03-06T12:00:00.000Z')], {
      from: new Date('2024-03-04T12:00:00Z'),
      to: new Date('2024-03-06T12:00:00Z'),
      period: 'day',
    });
    assert.deepEqual(
      stats.by_period.map((b) => [b.start, b.incidents]),
      [
        ['2024-03-04T00:00:00.000Z', 1],
        ['2024-03-05T00:00:00.000Z', 1],
        ['2024-03-06T00:00:00.000Z', 0],
      ],
    );
  });

  it('buckets by hour', () => {
    const stats = responseStats([at('2024-03-04T10:59:59.000Z'), at('2024-03-04T11:00:00.000Z')], {
      from: new Date('2024-03-04T10:00:00Z'),
      to: new Date('2024-03-04T12:00:00Z'),
      period: 'hour',
    });
    assert.deepEqual(
      stats.by_period.map((b) => [b.start, b.incidents]),
      [
        ['2024-03-04T10:00:00.000Z', 1],
        ['2024-03-04T11:00:00.000Z', 1],
      ],
    );
  });

  it('starts weeks on Monday even when from is a Sunday', () => {
    // 2024-03-10 is a Sunday, 2024-03-11 a Monday.
    const stats = responseStats([at('2024-03-10T23:00:00.000Z'), at('2024-03-11T00:00:00.000Z')], {
      from: new Date('2024-03-10T00:00:00Z'),
      to: new Date('2024-03-12T00:00:00Z'),
      period: 'week',
    });
    assert.deepEqual(
      stats.by_period.map((b) => [b.start, b.incidents]),
      [
        ['2024-03-04T00:00:00.000Z', 1],
        ['2024-03-11T00:00:00.000Z', 1],
      ],
    );
  });

  it('buckets by calendar month, leap day included', () => {
    const stats = responseStats([at('2024-01-20T00:00:00.000Z'), at('2024-02-29T23:59:59.000Z'), at('2024-03-01T00:00:00.000Z')], {
      from: new Date('2024-01-15T00:00:00Z'),
      to: new Date('2024-03-02T00:00:00Z'),
      period: 'month',
    });
    assert.deepEqual(
      stats.by_period.map((b) => [b.start, b.incidents]),
      [
        ['2024-01-01T00:00:00.000Z', 1],
        ['2024-02-01T00:00:00.000Z', 1],
        ['2024-03-01T00:00:00.000Z', 1],
      ],
    );
  });

  it('rejects an empty range and one with too many buckets', () => {
    const t = new Date('2024-03-04T00:00:00Z');
    assert.throws(() => responseStats([], { from: t, to: t, period: 'day' }), { code: 'bad_request', field: 'from' });
    assert.throws(() => responseStats([], { from: new Date('2000-01-01T00:00:00Z'), to: t, period: 'hour' }), { code: 'bad_request', field: 'period' });
  });
});
