import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseTime, TimeParseError } from './index.ts';

// A Sunday, so week rounding has to go back six days.
const NOW = new Date('2024-03-31T13:45:30.250Z');
const at = (v: string, roundUp = false) => parseTime(v, NOW, { roundUp }).toISOString();

describe('parseTime', () => {
  test('ISO 8601 with Z, offsets, fractions; without an offset it is UTC', () => {
    assert.equal(at('2024-01-31T12:00:00Z'), '2024-01-31T12:00:00.000Z');
    assert.equal(at('2024-01-31T12:00:00.123Z'), '2024-01-31T12:00:00.123Z');
    assert.equal(at('2024-01-31T12:00:00.123456789Z'), '2024-01-31T12:00:00.123Z');
    assert.equal(at('2024-01-31T12:00:00,5Z'), '2024-01-31T12:00:00.500Z');
    assert.equal(at('2024-01-31T14:00:00+02:00'), '2024-01-31T12:00:00.000Z');
    assert.equal(at('2024-01-31T07:00:00-0500'), '2024-01-31T12:00:00.000Z');
    assert.equal(at('2024-01-31T17:30:00+05:30'), '2024-01-31T12:00:00.000Z');
    assert.equal(at('2024-01-31T09:00:00-03'), '2024-01-31T12:00:00.000Z');
    assert.equal(at('2024-01-31T12:00:00'), '2024-01-31T12:00:00.000Z');
    assert.equal(at('2024-01-31t12:00:00z'), '2024-01-31T12:00:00.000Z');
    assert.equal(at('2024-01-31 12:00'), '2024-01-31T12:00:00.000Z');
    assert.equal(at('  2024-01-31T12:00Z '), '2024-01-31T12:00:00.000Z');
  });

  test('date only and year-month', () => {
    assert.equal(at('2024-01-31'), '2024-01-31T00:00:00.000Z');
    assert.equal(at('2024-02'), '2024-02-01T00:00:00.000Z');
    assert.equal(at('2024-02-29'), '2024-02-29T00:00:00.000Z');
    assert.equal(at('0099-01-01'), '0099-01-01T00:00:00.000Z');
  });

  test('roundUp fills missing parts with their maximum (Elasticsearch gt / lte)', () => {
    assert.equal(at('2024-01-31', true), '2024-01-31T23:59:59.999Z');
    assert.equal(at('2024-02', true), '2024-02-29T23:59:59.999Z');
    assert.equal(at('2024-01-31T12:00', true), '2024-01-31T12:00:59.999Z');
    assert.equal(at('2024-01-31T12:00:07Z', true), '2024-01-31T12:00:07.999Z');
    assert.equal(at('2024-01-31T12:00:07.100Z', true), '2024-01-31T12:00:07.100Z');
  });

  test('epoch milliseconds', () => {
    assert.equal(at('0'), '1970-01-01T00:00:00.000Z');
    assert.equal(at('1706702400000'), '2024-01-31T12:00:00.000Z');
  });

  test('relative to now, every unit', () => {
    assert.equal(at('now'), NOW.toISOString());
    assert.equal(at('NOW'), NOW.toISOString());
    assert.equal(at('now-24h'), '2024-03-30T13:45:30.250Z');
    assert.equal(at('now-15m'), '2024-03-31T13:30:30.250Z');
    assert.equal(at('now-30s'), '2024-03-31T13:45:00.250Z');
    assert.equal(at('now-7d'), '2024-03-24T13:45:30.250Z');
    assert.equal(at('now+1h'), '2024-03-31T14:45:30.250Z');
    assert.equal(at('now-2H'), '2024-03-31T11:45:30.250Z');
    assert.equal(at('now-1w'), '2024-03-24T13:45:30.250Z');
    assert.equal(at('now-1y'), '2023-03-31T13:45:30.250Z');
    assert.equal(at('now-1h-30m'), '2024-03-31T12:15:30.250Z');
  });

  test('months and years are calendar steps clamped to the end of the month', () => {
    assert.equal(at('now-1M'), '2024-02-29T13:45:30.250Z');
    assert.equal(at('now-13M'), '2023-02-28T13:45:30.250Z');
    assert.equal(at('now+11M'), '2025-02-28T13:45:30.250Z');
    assert.equal(parseTime('now-1y', new Date('2024-02-29T00:00:00Z')).toISOString(), '2023-02-28T00:00:00.000Z');
  });

  test('rounding down, and up with roundUp', () => {
    assert.equal(at('now/d'), '2024-03-31T00:00:00.000Z');
    assert.equal(at('now/d', true), '2024-03-31T23:59:59.999Z');
    assert.equal(at('now-1d/d'), '2024-03-30T00:00:00.000Z');
    assert.equal(at('now/h'), '2024-03-31T13:00:00.000Z');
    assert.equal(at('now/m'), '2024-03-31T13:45:00.000Z');
    assert.equal(at('now/s'), '2024-03-31T13:45:30.000Z');
    assert.equal(at('now/w'), '2024-03-25T00:00:00.000Z'); // Monday
    assert.equal(at('now/w', true), '2024-03-31T23:59:59.999Z');
    assert.equal(at('now/M'), '2024-03-01T00:00:00.000Z');
    assert.equal(at('now/M', true), '2024-03-31T23:59:59.999Z');
    assert.equal(at('now/y'), '2024-01-01T00:00:00.000Z');
    assert.equal(at('now/d+1h'), '2024-03-31T01:00:00.000Z');
  });

  test('anchored date math', () => {
    assert.equal(at('2024-01-31||+1M'), '2024-02-29T00:00:00.000Z');
    assert.equal(at('2024-01-31T10:00:00Z||/M'), '2024-01-01T00:00:00.000Z');
    assert.equal(at('1706702400000||-1d'), '2024-01-30T12:00:00.000Z');
  });

  test('bad input throws a TimeParseError naming the value', () => {
    for (const bad of [
      '',
      '   ',
      'yesterday',
      'now-1x',
      'now-',
      'now+1',
      'nowish',
      'now-1h/',
      '2024-13-01',
      '2024-02-30',
      '2023-02-29',
      '2024-01-01T25:00',
      '2024-01-01T10:60',
      '2024-01-01T10:00:61',
      '2024-01-01T10:00+25:00',
      '2024/01/01',
      '24-01-01',
      '1e3',
      '99999999999999999',
      '||+1d',
      'x||+1d',
    ]) {
      assert.throws(
        () => parseTime(bad, NOW),
        (e: unknown) => e instanceof TimeParseError && e.message.includes(JSON.stringify(bad)) && e.status === 400,
        bad,
      );
    }
  });
});
