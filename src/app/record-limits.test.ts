import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkRecordLimits } from './record-limits.ts';

describe('record limits', () => {
  const limits = { maxFields: 1000, maxDepth: 20 };

  it('accepts ordinary records', () => {
    assert.equal(checkRecordLimits({ a: 1, b: { c: [1, 2, { d: 'x' }] }, e: {} }, limits), null);
  });

  it('rejects a record with 10,000 fields, naming the limit', () => {
    const wide = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, i]));
    assert.match(checkRecordLimits(wide, limits) ?? '', /more than 1000 fields \(ingest\.max_fields\)/);
  });

  it('rejects deep nesting without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    assert.match(checkRecordLimits(deep, limits) ?? '', /deeper than 20 levels \(ingest\.max_depth\)/);
    let arrays: unknown = [];
    for (let i = 0; i < 25; i++) arrays = [arrays];
    assert.match(checkRecordLimits(arrays, limits) ?? '', /max_depth/);
  });

  it('counts empty objects and arrays as fields', () => {
    const empties = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`e${i}`, {}]));
    assert.match(checkRecordLimits(empties, limits) ?? '', /max_fields/);
  });
});
