import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SigmaRuleError } from './errors.ts';
import { REGEX_INPUT_LIMIT, compileRegex, type RegexFlags } from './regex.ts';
import { matches, reject, rng } from './testkit.ts';

const NO: RegexFlags = { i: false, m: false, s: false };

function fails(source: string): SigmaRuleError {
  try {
    compileRegex(source, NO);
  } catch (e) {
    assert.ok(e instanceof SigmaRuleError, String(e));
    return e;
  }
  assert.fail(`/${source}/ compiled`);
}

/** A random pattern over a small alphabet, built from the constructs of Sigma's regex flavour. */
function randomPattern(r: () => number, depth = 0): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const atom = (): string => {
    const k = r();
    if (k < 0.35) return pick(['a', 'b', 'c', 'A', '-', ' ', '\\n', '\\.']);
    if (k < 0.5) return pick(['.', '\\w', '\\W', '\\s', '\\d', '\\S']);
    if (k < 0.62) return pick(['[ab]', '[^a]', '[a-c]', '[^\\s]', '[\\w-]', '[-a]', '[]a]', '[^]b]']);
    if (k < 0.7) return pick(['^', '$', '\\b', '\\B']);
    if (depth < 2) return `(${r() < 0.5 ? '?:' : ''}${randomPattern(r, depth + 1)})`;
    return 'a';
  };
  const parts: string[] = [];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    let a = atom();
    if (!['^', '$', '\\b', '\\B'].includes(a) && r() < 0.35) a += pick(['*', '+', '?', '{2}', '{1,3}', '{0,2}', '*?', '{2,}']);
    parts.push(a);
  }
  let p = parts.join('');
  if (r() < 0.2) p += `|${randomPattern(r, depth + 1)}`;
  return p;
}

function randomText(r: () => number): string {
  const alphabet = ['a', 'b', 'c', 'A', 'B', '-', ' ', '\n', '.', '1', ']'];
  let s = '';
  const n = Math.floor(r() * 14);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

/** JavaScript spelling of a pattern whose class syntax follows PCRE (`[]a]` = `]` or `a`). */
function toJs(p: string): string {
  return p.replace(/\[\]/g, '[\\]').replace(/\[\^\]/g, '[^\\]');
}

describe('linear regex engine', () => {
  it('agrees with JavaScript RegExp on random patterns, texts and flags', () => {
    const r = rng(12345);
    let compared = 0;
    let rejected = 0;
    for (let i = 0; i < 1500; i++) {
      const p = randomPattern(r);
      const flags: RegexFlags = { i: r() < 0.3, m: r() < 0.3, s: r() < 0.3 };
      let lin;
      try {
        lin = compileRegex(p, flags);
      } catch (e) {
        assert.ok(e instanceof SigmaRuleError && e.feature === 'regex-backtracking', `/${p}/: ${(e as Error).message}`);
        rejected++;
        continue;
      }
      const native = new RegExp(toJs(p), `${flags.i ? 'i' : ''}${flags.m ? 'm' : ''}${flags.s ? 's' : ''}`);
      for (let j = 0; j < 12; j++) {
        const t = randomText(r);
        assert.equal(lin.test(t), native.test(t), `/${p}/${flags.i ? 'i' : ''}${flags.m ? 'm' : ''}${flags.s ? 's' : ''} on ${JSON.stringify(t)}`);
        compared++;
      }
    }
    assert.ok(compared > 15000, `compared ${compared}`);
    assert.ok(rejected < 300, `rejected ${rejected}`);
  });

  it('handles Unicode and case folding like JavaScript', () => {
    const cases: [string, RegexFlags, string][] = [
      ['straße', { ...NO, i: true }, 'STRAßE'],
      ['é+', { ...NO, i: true }, 'ÉÉ'],
      ['\\w', NO, 'é'],
      ['\\s', NO, '\u00a0'],
      ['[^a]', NO, '\ud83d\ude00'],
      ['^.$', NO, '\ud83d\ude00'],
      ['\\u0041\\x42', NO, 'AB'],
      ['–', NO, 'a–b'],
    ];
    for (const [p, f, t] of cases) {
      const native = new RegExp(p, (f.i ? 'i' : '') + (f.m ? 'm' : '') + (f.s ? 's' : ''));
      assert.equal(compileRegex(p, f).test(t), native.test(t), `/${p}/ on ${t}`);
    }
  });

  it('stays correct when its DFA cache overflows and is flushed', () => {
    const lin = compileRegex('[ab]*a[ab]{12}c', NO);
    const native = /[ab]*a[ab]{12}c/;
    const r = rng(7);
    for (let i = 0; i < 40; i++) {
      let s = '';
      for (let j = 0; j < 400; j++) s += r() < 0.5 ? 'a' : 'b';
      if (i % 2 === 0) s += 'c';
      assert.equal(lin.test(s), native.test(s));
    }
    assert.ok(lin.flushes > 0, 'the cache should have been flushed');
  });

  it('rejects catastrophic backtracking shapes as unsupported', () => {
    for (const p of ['(a+)+$', '(a*)*b', '(\\w+\\s?)+$', '(?:.*\\)){1,}x', '(a|ab)*c', '(\\w|\\d)+x', '(a|)+']) {
      const e = fails(p);
      assert.equal(e.kind, 'unsupported', p);
      assert.equal(e.feature, 'regex-backtracking', p);
    }
  });

  it('accepts repeated groups whose iterations cannot overlap', () => {
    for (const p of ['(\\w+\\.)+com', '([0-9a-f]{2}\\s?){2,20}', '(?:[a-z0-9\\-]+\\.){2}[a-z]+', '(a|b)+', '(?:\\{\\d\\}){1,}', '(ab)*', '(\\.\\w+)+$']) {
      assert.doesNotThrow(() => compileRegex(p, NO), p);
    }
  });

  it('rejects features outside the flavour and invalid patterns', () => {
    const unsupported = ['(?=a)', '(?!a)', '(?<=a)b', '(?<!a)b', '(a)\\1', '(?>a)', 'a*+', '\\A', '\\p{L}', '[[:alpha:]]', '(?i:a)', '(?x)a'];
    for (const p of unsupported) assert.equal(fails(p).kind, 'unsupported', p);
    const invalidOnes = ['(a', 'a)', '[a', 'a**', '*a', '[z-a]', 'a{3,2}', '\\'];
    for (const p of invalidOnes) assert.equal(fails(p).kind, 'error', p);
  });

  it('takes leading inline flags and named groups', () => {
    assert.equal(compileRegex('(?i)abc', NO).test('xABC'), true);
    assert.equal(compileRegex('(?s)a.c', NO).test('a\nc'), true);
    assert.equal(compileRegex('(?im)^abc$', NO).test('x\nABC'), true);
    assert.equal(compileRegex('(?P<x>a)(?<y>b)', NO).test('ab'), true);
  });

  it('runs in bounded time on long inputs whatever the pattern', () => {
    const long = 'a'.repeat(1 << 20);
    for (const p of ['[^/]{100,}$', '\\w+@x', '.*a.*b.*c', '(\\w+\\.)+com', '(a|b|c)*d', 'a{1,50}b']) {
      const re = compileRegex(p, NO);
      const t0 = performance.now();
      re.test(long);
      re.test(`${long}/`);
      const ms = performance.now() - t0;
      assert.ok(ms < 1500, `/${p}/ took ${ms.toFixed(0)} ms`);
    }
  });

  it('searches only the first REGEX_INPUT_LIMIT characters', () => {
    const re = compileRegex('needle', NO);
    assert.equal(re.test(`${'x'.repeat(REGEX_INPUT_LIMIT - 6)}needle`), true);
    assert.equal(re.test(`${'x'.repeat(REGEX_INPUT_LIMIT)}needle`), false);
    // $ does not match where the input was cut
    assert.equal(compileRegex('x$', NO).test('x'.repeat(REGEX_INPUT_LIMIT + 1)), false);
  });

  it('keeps a rule with a catastrophic regex out, and a long field cannot stall a rule', () => {
    const r = reject(`sel:\n    CommandLine|re: '(\\w+\\s?)+$'\ncondition: sel`);
    assert.equal(r.kind, 'unsupported');
    assert.match(r.reason, /^detection\.sel\.CommandLine\|re: regular expression .* backtracks catastrophically/);
    const t0 = performance.now();
    assert.equal(matches(`sel:\n    CommandLine|re: '\\s[a-fA-F0-9]{64}\\s'\ncondition: sel`, { CommandLine: ' '.repeat(1 << 20) }), false);
    assert.ok(performance.now() - t0 < 1500);
  });
});
