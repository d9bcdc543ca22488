import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.ts';

test('parses Alertmanager-style durations', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('7d'), 604_800_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration(1500), 1500);
});

test('rejects durations without a unit or with junk', () => {
  for (const bad of ['', '5', '5x', 'm5', '1h 30m', '-5m']) assert.throws(() => parseDuration(bad), /invalid duration/, bad);
});

test('formats durations back', () => {
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(86_400_000 + 1), '1d1ms');
});
