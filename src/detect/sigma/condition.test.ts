import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCondition, formatCondition, matchIdentifiers, parseCondition, parseConditions } from './condition.ts';
import { SigmaRuleError } from './errors.ts';
import { ev, matches, reject, rule } from './testkit.ts';

const fmt = (s: string): string => formatCondition(parseCondition(s));

function parseError(s: string): SigmaRuleError {
  try {
    parseCondition(s);
  } catch (e) {
    assert.ok(e instanceof SigmaRuleError, String(e));
    return e;
  }
  assert.fail(`'${s}' parsed`);
}

describe('condition parser', () => {
  it('binds not tighter than and, and tighter than or', () => {
    assert.equal(fmt('a or b and not c'), 'a or (b and not c)');
    assert.equal(fmt('not a and b'), 'not a and b');
    assert.equal(fmt('a and b or c and d'), '(a and b) or (c and d)');
    assert.equal(fmt('not not a'), 'not not a');
  });

  it('honours parentheses', () => {
    assert.equal(fmt('(a or b) and c'), '(a or b) and c');
    assert.equal(fmt('not (a or b)'), 'not (a or b)');
    assert.equal(fmt('((a))'), 'a');
  });

  it('reads keywords in any case', () => {
    assert.equal(fmt('a AND b Or NOT c'), '(a and b) or not c');
    assert.equal(fmt('1 OF sel* And ALL Of Them'), '1 of sel* and all of them');
    assert.equal(fmt('any of sel*'), '1 of sel*');
  });

  it('parses x of forms', () => {
    assert.deepEqual(parseCondition('1 of them'), { t: 'of', quant: 'any', pattern: null, pos: 1 });
    assert.deepEqual(parseCondition('all of selection_*'), { t: 'of', quant: 'all', pattern: 'selection_*', pos: 1 });
    assert.equal(fmt('selection and not 1 of filter_main_* and not 1 of filter_optional_*'), 'selection and not 1 of filter_main_* and not 1 of filter_optional_*');
  });

  it('accepts identifiers with digits, dashes and dots', () => {
    assert.equal(fmt('sel-1 or sel.2 or _x'), 'sel-1 or sel.2 or _x');
  });

  it('reports syntax errors with their position', () => {
    assert.match(parseError('a and').message, /expected a search identifier, found end of condition at position 6/);
    assert.match(parseError('(a or b').message, /expected '\)' to close '\(' at position 1/);
    assert.match(parseError('a b').message, /unexpected 'b' .* at position 3/);
    assert.match(parseError('a)').message, /unbalanced '\)' at position 2/);
    assert.match(parseError('2 of sel*').message, /quantifier '2' is not valid Sigma/);
    assert.match(parseError('1 of and').message, /expected an identifier pattern/);
    assert.match(parseError('and a').message, /found keyword 'and' at position 1/);
    assert.equal(parseError('').feature, 'condition');
  });

  it('bounds nesting depth', () => {
    const deep = `${'('.repeat(200)}a${')'.repeat(200)}`;
    assert.match(parseError(deep).message, /nested deeper than 64/);
    assert.match(parseError(`${'not '.repeat(100)}a`).message, /nested deeper than 64/);
    assert.equal(fmt(`${'('.repeat(30)}a${')'.repeat(30)}`), 'a');
  });

  it('rejects the old aggregation syntax and near as unsupported', () => {
    const agg = parseError('selection | count() by host > 5');
    assert.equal(agg.kind, 'unsupported');
    assert.equal(agg.feature, 'aggregation');
    const near = parseError('sel1 near sel2');
    assert.equal(near.kind, 'unsupported');
    assert.equal(near.feature, 'near');
  });

  it('treats a condition list as the OR of its conditions', () => {
    const { text, ast } = parseConditions(['a and b', 'c']);
    assert.deepEqual(text, ['a and b', 'c']);
    assert.equal(formatCondition(ast), '(a and b) or c');
  });
});

describe('identifier resolution', () => {
  const ids = ['selection', 'selection_img', 'selection_cli', 'filter_main', '_internal', 'sel'];

  it('matches patterns against whole identifiers and skips _ identifiers', () => {
    assert.deepEqual(matchIdentifiers('selection_*', ids), ['selection_img', 'selection_cli']);
    assert.deepEqual(matchIdentifiers('selection*', ids), ['selection', 'selection_img', 'selection_cli']);
    assert.deepEqual(matchIdentifiers('sel', ids), ['sel']);
    assert.deepEqual(matchIdentifiers('*_main', ids), ['filter_main']);
    assert.deepEqual(matchIdentifiers('*', ids), ['selection', 'selection_img', 'selection_cli', 'filter_main', 'sel']);
    assert.deepEqual(matchIdentifiers(null, ids), ['selection', 'selection_img', 'selection_cli', 'filter_main', 'sel']);
    assert.deepEqual(matchIdentifiers('_*', ids), ['_internal']);
  });

  it('rejects undefined identifiers and empty patterns', () => {
    assert.throws(() => checkCondition(parseCondition('selection and nope'), new Set(ids)), /undefined search identifier 'nope' \(position 15\)/);
    assert.throws(() => checkCondition(parseCondition('1 of x*'), new Set(ids)), /'1 of x\*' \(position 1\) matches no search identifier/);
    assert.doesNotThrow(() => checkCondition(parseCondition('all of selection_* and not filter_main'), new Set(ids)));
  });
});

describe('condition evaluation', () => {
  const det = `
sel_a:
    A: '1'
sel_b:
    B: '1'
_helper:
    C: '1'
filter:
    F: '1'
`;
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['sel_a and sel_b', { A: '1', B: '1' }, true],
    ['sel_a and sel_b', { A: '1' }, false],
    ['sel_a or sel_b', { B: '1' }, true],
    ['not sel_a', { B: '1' }, true],
    ['not sel_a', { A: '1' }, false],
    ['1 of sel_*', { B: '1' }, true],
    ['all of sel_*', { B: '1' }, false],
    ['all of sel_*', { A: '1', B: '1' }, true],
    ['1 of them', { F: '1' }, true],
    ['1 of them', { C: '1' }, false],
    ['all of them', { A: '1', B: '1', F: '1' }, true],
    ['all of them', { A: '1', B: '1' }, false],
    ['1 of _*', { C: '1' }, true],
    ['1 of sel_* and not filter', { A: '1', F: '1' }, false],
    ['1 of sel_* and not filter', { A: '1' }, true],
    ['(sel_a or sel_b) and not (filter or _helper)', { A: '1', C: '1' }, false],
  ];
  for (const [cond, event, want] of cases) {
    it(`${cond} on ${JSON.stringify(event)} is ${want}`, () => {
      assert.equal(matches(`${det}condition: ${cond}`, event), want);
    });
  }

  it('evaluates a condition list as OR', () => {
    const r = rule(`${det}condition:\n    - sel_a and sel_b\n    - filter`);
    assert.equal(r.match(ev({ F: '1' })), true);
    assert.equal(r.match(ev({ A: '1' })), false);
  });

  it('rejects a rule whose condition names an undefined identifier, naming it', () => {
    const r = reject(`${det}condition: sel_a and sel_c`);
    assert.equal(r.kind, 'error');
    assert.match(r.reason, /^detection\.condition: condition names undefined search identifier 'sel_c'/);
  });
});
