import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  epochToMs, parseBsdDate, parseIso8601, parseRfc2822, parseTimestamp, parseZone, toIso, wallClockToMs, UTC,
} from './time.ts';

const iso = (ms: number | null): string | null => (ms === null ? null : toIso(ms));
const REF = Date.parse('2024-05-01T12:00:00Z');

describe('time: ISO 8601 / RFC 3339', () => {
  it('reads offsets, Z, fractions and converts to UTC with milliseconds', () => {
    assert.equal(iso(parseIso8601('2024-05-01T12:00:00Z')), '2024-05-01T12:00:00.000Z');
    assert.equal(iso(parseIso8601('2024-05-01T14:00:00.123456+02:00')), '2024-05-01T12:00:00.123Z');
    assert.equal(iso(parseIso8601('2003-08-24T05:14:15.000003-07:00')), '2003-08-24T12:14:15.000Z');
    assert.equal(iso(parseIso8601('1985-04-12T23:20:50.52Z')), '1985-04-12T23:20:50.520Z');
    assert.equal(iso(parseIso8601('2024-05-01 12:00:00+0530')), '2024-05-01T06:30:00.000Z');
    assert.equal(iso(parseIso8601('2024-05-01t12:00:00z')), '2024-05-01T12:00:00.000Z');
    assert.equal(iso(parseIso8601('2024-05-01')), '2024-05-01T00:00:00.000Z');
  });
  it('treats a missing zone as UTC (Windows SystemTime without Z)', () => {
    assert.equal(iso(parseIso8601('2019-07-19 14:42:51.446281')), '2019-07-19T14:42:51.446Z');
  });
  it('rejects impossible dates instead of rolling them over', () => {
    assert.equal(parseIso8601('2023-02-29T00:00:00Z'), null);
    assert.equal(parseIso8601('2024-13-01T00:00:00Z'), null);
    assert.equal(parseIso8601('2024-04-31T00:00:00Z'), null);
    assert.equal(parseIso8601('2024-05-01T24:00:00Z'), null);
    assert.equal(parseIso8601('yesterday'), null);
    assert.equal(iso(parseIso8601('2024-02-29T00:00:00Z')), '2024-02-29T00:00:00.000Z');
  });
});

describe('time: epochs', () => {
  it('chooses the unit by magnitude', () => {
    assert.equal(iso(epochToMs(1714564800)), '2024-05-01T12:00:00.000Z');
    assert.equal(iso(epochToMs(1714564800.5)), '2024-05-01T12:00:00.500Z');
    assert.equal(iso(epochToMs(1714564800123)), '2024-05-01T12:00:00.123Z');
    assert.equal(iso(epochToMs(1714564800123456)), '2024-05-01T12:00:00.123Z');
    assert.equal(iso(epochToMs(1714564800123456789)), '2024-05-01T12:00:00.123Z');
    assert.equal(iso(epochToMs(0)), '1970-01-01T00:00:00.000Z');
    assert.equal(epochToMs(Number.NaN), null);
    assert.equal(epochToMs(Infinity), null);
  });
  it('reads numeric strings the same way', () => {
    assert.equal(iso(parseTimestamp('1714564800', REF)), '2024-05-01T12:00:00.000Z');
    assert.equal(iso(parseTimestamp('1714564800123', REF)), '2024-05-01T12:00:00.123Z');
    assert.equal(iso(parseTimestamp('1714564800.25', REF)), '2024-05-01T12:00:00.250Z');
  });
});

describe('time: RFC 2822 and BSD/CEF style', () => {
  it('RFC 2822 with numeric and named zones', () => {
    assert.equal(iso(parseRfc2822('Wed, 01 May 2024 14:00:00 +0200')), '2024-05-01T12:00:00.000Z');
    assert.equal(iso(parseRfc2822('1 May 2024 08:00:00 EDT')), '2024-05-01T12:00:00.000Z');
    assert.equal(iso(parseTimestamp('Wed, 01 May 2024 12:00:00 GMT', REF)), '2024-05-01T12:00:00.000Z');
  });
  it('MMM dd yyyy HH:mm:ss[.SSS] [zone]', () => {
    assert.equal(iso(parseBsdDate('May 01 2024 12:00:00', REF)), '2024-05-01T12:00:00.000Z');
    assert.equal(iso(parseBsdDate('May 01 2024 14:00:00.250 +02:00', REF)), '2024-05-01T12:00:00.250Z');
    assert.equal(iso(parseBsdDate('May 01 2024 08:00:00 EDT', REF)), '2024-05-01T12:00:00.000Z');
    assert.equal(iso(parseBsdDate('May 01 2024 14:00:00 Europe/Berlin', REF)), '2024-05-01T12:00:00.000Z');
    assert.equal(iso(parseBsdDate('Jan 15 2024 13:00:00 Europe/Berlin', REF)), '2024-01-15T12:00:00.000Z');
    assert.equal(parseBsdDate('Foo 01 2024 12:00:00', REF), null);
  });
  it('never falls back to Date.parse', () => {
    assert.equal(parseTimestamp('1', REF) !== null, true); // epoch 1 s: a number, not "2001"
    assert.equal(iso(parseTimestamp('1', REF)), '1970-01-01T00:00:01.000Z');
    assert.equal(parseTimestamp('May 5', REF), null);
    assert.equal(parseTimestamp('yesterday', REF), null);
    assert.equal(parseTimestamp('', REF), null);
    assert.equal(parseTimestamp({}, REF), null);
  });
});

describe('time: year inference for year-less dates', () => {
  const at = (s: string): number => Date.parse(s);
  it('Dec 31 received on Jan 1 is last year; Jan 1 received on Dec 31 is next year', () => {
    assert.equal(iso(wallClockToMs(null, 11, 31, 23, 59, 59, 0, at('2025-01-01T00:00:05Z'), UTC)), '2024-12-31T23:59:59.000Z');
    assert.equal(iso(wallClockToMs(null, 0, 1, 0, 0, 1, 0, at('2024-12-31T23:59:50Z'), UTC)), '2025-01-01T00:00:01.000Z');
  });
  it('a date months ahead is read as last year (replayed files never land in the future)', () => {
    assert.equal(iso(wallClockToMs(null, 4, 1, 12, 0, 0, 0, at('2026-11-27T00:00:00Z'), UTC)), '2026-05-01T12:00:00.000Z');
    assert.equal(iso(wallClockToMs(null, 11, 10, 6, 55, 46, 0, at('2026-11-27T00:00:00Z'), UTC)), '2025-12-10T06:55:46.000Z');
    // within the 7-day tolerance a slightly future time stays in the current year
    assert.equal(iso(wallClockToMs(null, 11, 1, 0, 0, 0, 0, at('2026-11-27T00:00:00Z'), UTC)), '2026-12-01T00:00:00.000Z');
  });
  it('Feb 29 only in leap years', () => {
    assert.equal(iso(wallClockToMs(null, 1, 29, 1, 2, 3, 0, at('2025-03-01T00:00:00Z'), UTC)), '2024-02-29T01:02:03.000Z');
    assert.equal(iso(wallClockToMs(null, 1, 29, 1, 2, 3, 0, at('2026-06-01T00:00:00Z'), UTC)), '2024-02-29T01:02:03.000Z');
  });
  it('applies a configured zone', () => {
    const z = parseZone('+02:00');
    assert.ok(z);
    assert.equal(iso(wallClockToMs(null, 4, 1, 14, 0, 0, 0, REF, z)), '2024-05-01T12:00:00.000Z');
    const ny = parseZone('America/New_York');
    assert.ok(ny);
    assert.equal(iso(wallClockToMs(2024, 6, 1, 8, 0, 0, 0, REF, ny)), '2024-07-01T12:00:00.000Z');
    assert.equal(iso(wallClockToMs(2024, 0, 1, 7, 0, 0, 0, REF, ny)), '2024-01-01T12:00:00.000Z');
    assert.equal(parseZone('Not/AZone'), null);
  });
});
