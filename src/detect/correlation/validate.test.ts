import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CorrelationEngine } from './engine.ts';
import { options, ruleMeta, spec } from './testkit.ts';
import { CorrelationConfigError, type CorrelationEngineOptions, type CorrelationSpec } from './types.ts';

/** The error messages the engine gives for these specs (fails when it accepts them). */
function problems(specs: CorrelationSpec[], o: CorrelationEngineOptions = options()): string[] {
  try {
    new CorrelationEngine(specs, o);
  } catch (e) {
    assert.ok(e instanceof CorrelationConfigError, String(e));
    assert.ok(e.message.includes(e.errors[0]));
    return e.errors;
  }
  assert.fail('the engine accepted invalid correlations');
}

const count = (o: Partial<CorrelationSpec> = {}) =>
  spec({ id: 'c1', name: 'count_one', title: 'Count one', type: 'event_count', rules: ['failed_login'], group_by: ['User'], condition: { gte: 3 }, ...o });

describe('validation', () => {
  it('accepts a valid set, with and without known rules', () => {
    assert.doesNotThrow(() => new CorrelationEngine([count()], options()));
    assert.doesNotThrow(() => new CorrelationEngine([count()], options({ knownRules: [ruleMeta('failed_login')] })));
    // by id as well
    assert.doesNotThrow(() => new CorrelationEngine([count({ rules: ['id-failed_login'] })], options({ knownRules: [ruleMeta('failed_login')] })));
  });

  it('unknown rule names, naming the correlation', () => {
    const errs = problems([count({ rules: ['failed_login', 'typo_rule'] })], options({ knownRules: [ruleMeta('failed_login')] }));
    assert.deepEqual(errs, ['correlation "Count one" (c1, name count_one): unknown rule "typo_rule"']);
  });

  it('cycles among chained correlations, naming them', () => {
    const a = spec({ id: 'a', name: 'corr_a', title: 'A', type: 'event_count', rules: ['corr_b'], condition: { gte: 1 } });
    const b = spec({ id: 'b', name: 'corr_b', title: 'B', type: 'temporal', rules: ['corr_a', 'x'] });
    const errs = problems([a, b]);
    assert.equal(errs.length, 1);
    assert.match(errs[0], /^correlation "A" \(a, name corr_a\): chained correlations form a cycle: corr_a → corr_b → corr_a$/);
    const self = problems([spec({ id: 's', title: 'Self', type: 'event_count', rules: ['s'], condition: { gte: 1 } })]);
    assert.match(self[0], /"Self".*cycle: s → s/);
  });

  it('duplicate handles and names shared with detection rules', () => {
    const errs = problems([count(), count({ id: 'c2', title: 'Other' })]);
    assert.match(errs[0], /"Other" \(c2, name count_one\): "count_one" is also the id or name of correlation "Count one"/);
    const clash = problems([count()], options({ knownRules: [ruleMeta('failed_login'), ruleMeta('count_one')] }));
    assert.match(clash[0], /"Count one".*"count_one" is also the id or name of a detection rule/);
  });

  it('every problem is reported, not only the first', () => {
    const errs = problems([
      count({ timespan_ms: 0, condition: undefined }),
      spec({ id: 'v', title: 'V', type: 'value_count', rules: ['r', 'r'], condition: { gte: 2 } }),
      spec({ id: 'p', title: 'P', type: 'value_percentile', rules: ['r'], condition: { field: 'ms', gt: 5 } }),
      spec({ id: 't', title: 'T', type: 'nope' as CorrelationSpec['type'], rules: ['r'] }),
    ]);
    const expected = [
      /"Count one".*timespan must be a positive duration/,
      /"Count one".*condition is required for event_count/,
      /"V".*rule "r" is listed twice/,
      /"V".*condition.field is required for value_count/,
      /"P".*condition.percentile is required/,
      /"T".*type "nope" is not one of/,
    ];
    for (const re of expected) assert.ok(errs.some((e) => re.test(e)), `${re} in\n${errs.join('\n')}`);
    assert.equal(errs.length, expected.length);
  });

  it('conditions that can never hold, unknown condition keys', () => {
    assert.match(problems([count({ condition: { gt: 5, lt: 6 } })])[0], /can never hold: the range is empty/);
    assert.match(problems([count({ condition: { gte: 5, eq: 3 } })])[0], /eq 3 is outside the range/);
    assert.match(problems([count({ condition: { eq: 2, neq: 2 } })])[0], /eq and neq are equal/);
    assert.match(problems([spec({ id: 't', type: 'temporal', rules: ['a', 'b'], condition: { gte: 3 } })])[0], /never hold with 2 rule\(s\)/);
    assert.match(problems([count({ condition: { gte: 3, ge: 4 } as never })])[0], /unknown key "ge"/);
    assert.match(problems([count({ condition: { gte: '3' } as never })])[0], /condition gte must be a number/);
    // a fractional bound is fine for a metric
    assert.doesNotThrow(
      () => new CorrelationEngine([spec({ id: 'a', type: 'value_avg', rules: ['r'], condition: { field: 'x', gt: 0.5, lt: 0.6 } })], options()),
    );
  });

  it('aliases must name rules of the correlation', () => {
    const errs = problems([count({ aliases: { ip: { failed_login: 'src', ghost: 'dst' } } })]);
    assert.deepEqual(errs, ['correlation "Count one" (c1, name count_one): alias "ip" names rule "ghost", which is not in rules']);
  });

  it('a threshold that cannot fit in maxEventsPerGroup is refused', () => {
    assert.match(problems([count({ condition: { gt: 99 } })], options({ maxEventsPerGroup: 50 }))[0], /needs 100 matches in one group but maxEventsPerGroup is 50/);
  });

  it('options', () => {
    const errs = problems([count()], { allowedLatenessMs: -1, maxGroupsPerRule: 0, maxEventsPerGroup: 1.5 });
    assert.equal(errs.length, 3);
    assert.match(errs[0], /allowedLatenessMs/);
  });
});
