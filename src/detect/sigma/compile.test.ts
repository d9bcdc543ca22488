import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Anchor, CompiledRule, EventView } from '../types.ts';
import { applyFilters, compileFilter, compileRule } from './compile.ts';
import { scalarString } from './eval.ts';
import { objectEventView } from './event.ts';
import { parseRuleText } from './load.ts';
import { ev, matches, rng, rule } from './testkit.ts';

const lits = (r: CompiledRule): string[] | null => (r.anchors === null ? null : r.anchors.map((a) => `${a.field ?? '*'}=${a.literal}`).sort());

describe('anchors', () => {
  it('takes the most selective side of an AND and the union of an OR (a and (b or c))', () => {
    const det = (a: string): string => `a:\n    A|contains: '${a}'\nb:\n    B: Beta\nc:\n    C|endswith: gamma\ncondition: a and (b or c)`;
    assert.deepEqual(lits(rule(det('alpha'))), ['A=alpha']);
    assert.deepEqual(lits(rule(det('al'))), ['B=beta', 'C=gamma']);
  });

  it('gives NOT nothing and keeps the positive side of "sel and not filter"', () => {
    assert.equal(rule(`sel:\n    A: x\ncondition: not sel`).anchors, null);
    assert.deepEqual(lits(rule(`sel:\n    A: xyz\nfilter:\n    B: longer-literal\ncondition: sel and not filter`)), ['A=xyz']);
  });

  it('is null for an OR with a branch that needs no literal', () => {
    assert.equal(rule(`sel:\n    A: xyz\nnum:\n    N|gt: 5\ncondition: sel or num`).anchors, null);
    assert.equal(rule(`sel:\n    A:\n        - xyz\n        - '*'\ncondition: sel`).anchors, null);
  });

  it('uses the longest literal run of a wildcard pattern, lower-cased', () => {
    assert.deepEqual(lits(rule(`sel:\n    Image: '*\\Sys*32\\CMD?.exe'\ncondition: sel`)), ['Image=32\\cmd']);
    assert.deepEqual(lits(rule(`sel:\n    Image|cased: 'ABC'\ncondition: sel`)), ['Image=abc']);
    assert.equal(rule(`sel:\n    Image: '?*'\ncondition: sel`).anchors, null);
    assert.equal(rule(`sel:\n    Image: ''\ncondition: sel`).anchors, null);
  });

  it('gives keyword anchors a null field and numbers their digits', () => {
    assert.deepEqual(lits(rule(`kw:\n    - mimikatz\n    - 'sekurlsa::*'\ncondition: kw`)), ['*=mimikatz', '*=sekurlsa::']);
    assert.deepEqual(lits(rule(`sel:\n    EventID: 4624\ncondition: sel`)), ['EventID=4624']);
    assert.equal(rule(`sel:\n    EventID: -1\ncondition: sel`).anchors, null);
  });

  it('gives one anchor per encoded variant', () => {
    assert.deepEqual(lits(rule(`sel:\n    F|base64offset|contains: foobar\ncondition: sel`)), ['F=mb29iyx', 'F=zm9vymfy', 'F=zvb2jhc']);
    assert.equal(rule(`sel:\n    F|windash|contains: ' -s '\ncondition: sel`).anchors?.length, 5);
    assert.deepEqual(lits(rule(`sel:\n    F|wide|base64: ab\ncondition: sel`)), [`F=${Buffer.from('ab', 'utf16le').toString('base64').toLowerCase()}`]);
  });

  it('gives none for re, cidr, comparisons, exists, null and fieldref', () => {
    for (const item of ["F|re: 'abc'", "F|cidr: '10.0.0.0/8'", 'F|gt: 5', 'F|exists: true', 'F: null', 'F|fieldref: G', 'F|neq: abc', 'F|hour: 3']) {
      assert.equal(rule(`sel:\n    ${item}\ncondition: sel`).anchors, null, item);
    }
  });

  it('treats 1 of / all of as OR / AND, and all-lists as AND', () => {
    const det = `sel_a:\n    A: aaaa\nsel_b:\n    B: bb\n`;
    assert.deepEqual(lits(rule(`${det}condition: 1 of sel_*`)), ['A=aaaa', 'B=bb']);
    assert.deepEqual(lits(rule(`${det}condition: all of sel_*`)), ['A=aaaa']);
    assert.deepEqual(lits(rule(`sel:\n    C|contains|all:\n        - ab\n        - abcd\ncondition: sel`)), ['C=abcd']);
  });

  it('counts value tests as cost', () => {
    assert.equal(rule(`sel:\n    A: [a, b, c]\n    B|windash: '-x'\ncondition: sel`).cost, 8);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: whenever a rule matches an event, one of its anchors occurs in the event.

function anchorOccurs(a: Anchor, e: EventView): boolean {
  if (a.field === null) return e.keywords().some((k) => k.toLowerCase().includes(a.literal));
  const v = e.get(a.field);
  const vals = Array.isArray(v) ? v : [v];
  return vals.some((x) => {
    const s = scalarString(x);
    return s !== null && s.toLowerCase().includes(a.literal);
  });
}

function randomRule(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const words = ['ab', 'Ba', 'abc', 'x', 'a-b', '-b', 'a*', '*b', 'a?c', 'xa', '/c'];
  const fields = ['F1', 'F2', 'F3'];
  const mods = ['', '|contains', '|startswith', '|endswith', '|cased', '|contains|cased', '|windash|contains', '|contains|all', '|re', '|exists', '|neq', '|gt', '|base64offset|contains', '|fieldref'];
  const value = (m: string): string => {
    if (m === '|re') return `'${pick(['a.c', '^b', 'x$', 'a+b'])}'`;
    if (m === '|exists') return pick(['true', 'false']);
    if (m === '|gt') return String(Math.floor(r() * 20));
    if (m === '|fieldref') return pick(fields);
    if (m === '|base64offset|contains') return `'${pick(['abc', 'xab', 'bca'])}'`;
    if (m === '|contains|all') return `['${pick(words).replace(/[*?]/g, '')}', '${pick(words)}']`;
    const n = 1 + Math.floor(r() * 3);
    const vs = Array.from({ length: n }, () => (r() < 0.15 ? String(Math.floor(r() * 15)) : `'${pick(words)}'`));
    return n === 1 ? vs[0]! : `[${vs.join(', ')}]`;
  };
  const idents: string[] = [];
  let det = '';
  const count = 1 + Math.floor(r() * 4);
  for (let i = 0; i < count; i++) {
    const name = `${pick(['sel', 'filter'])}_${i}`;
    idents.push(name);
    if (r() < 0.15) {
      det += `${name}:\n    - '${pick(words)}'\n    - '${pick(words)}'\n`;
      continue;
    }
    const items = 1 + Math.floor(r() * 2);
    const used = new Set<string>();
    let body = '';
    for (let k = 0; k < items; k++) {
      const f = pick(fields);
      const m = pick(mods);
      if (used.has(f + m)) continue;
      used.add(f + m);
      body += `${f}${m}: ${value(m)}\n`;
    }
    det += r() < 0.2 ? `${name}:\n    - ${body.trim().replace(/\n/g, '\n    - ')}\n` : `${name}:\n    ${body.trim().replace(/\n/g, '\n    ')}\n`;
  }
  const expr = (depth: number): string => {
    const k = r();
    if (depth > 2 || k < 0.35) return pick(idents);
    if (k < 0.45) return `not ${expr(depth + 1)}`;
    if (k < 0.55) return `${pick(['1', 'all'])} of ${pick(['sel_*', 'filter_*', 'them'])}`;
    return `(${expr(depth + 1)} ${pick(['and', 'or'])} ${expr(depth + 1)})`;
  };
  return `${det}condition: ${expr(0)}`;
}

function randomEvent(r: () => number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const piece = (): string => pick(['a', 'b', 'c', 'x', 'A', 'B', '-', '/', '\u2013', ' ']);
  const str = (): string => {
    let s = '';
    const n = Math.floor(r() * 7);
    for (let i = 0; i < n; i++) s += piece();
    return s;
  };
  const val = (): unknown => {
    const k = r();
    if (k < 0.5) return str();
    if (k < 0.6) return Math.floor(r() * 25);
    if (k < 0.7) return [str(), str()];
    if (k < 0.75) return null;
    if (k < 0.85) return Buffer.from(`${pick(['', 'x', 'yy'])}${pick(['abc', 'xab', 'bca', 'zzz'])}q`).toString('base64');
    return String(Math.floor(r() * 25));
  };
  const e: Record<string, unknown> = {};
  for (const f of ['F1', 'F2', 'F3']) if (r() < 0.8) e[f] = val();
  if (r() < 0.5) e.Other = str();
  return e;
}

describe('anchor property', () => {
  it('if match() is true then some anchor occurs (random rules and events)', () => {
    const r = rng(2024);
    let rules = 0;
    let anchored = 0;
    let hits = 0;
    for (let i = 0; i < 600; i++) {
      const det = randomRule(r);
      const parsed = parseRuleText(
        `title: p\nid: 11111111-2222-4333-8444-555555555555\nlogsource: {product: test}\ndetection:\n    ${det.replace(/\n/g, '\n    ')}\n`,
        'p.yml',
      );
      if (parsed.rules.length === 0) continue; // e.g. a condition over identifiers that a pattern does not find
      rules++;
      const cr = compileRule(parsed.rules[0]!);
      if (cr.anchors === null) continue;
      anchored++;
      for (let j = 0; j < 150; j++) {
        const e = ev(randomEvent(r));
        if (!cr.match(e)) continue;
        hits++;
        assert.ok(
          cr.anchors.some((a) => anchorOccurs(a, e)),
          `rule:\n${det}\nanchors ${JSON.stringify(cr.anchors)}\nevent ${JSON.stringify(e.record)}`,
        );
      }
    }
    assert.ok(rules > 400, `rules ${rules}`);
    assert.ok(anchored > 150, `anchored ${anchored}`);
    assert.ok(hits > 1000, `hits ${hits}`);
  });
});

// ---------------------------------------------------------------------------------------------

describe('filters', () => {
  const text = `title: Rar
id: 6f3e2987-db24-4c78-a860-b4f4095a7095
name: rar_compression
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        Image|endswith: '\\rar.exe'
    condition: sel
---
title: Other
id: 7f3e2987-db24-4c78-a860-b4f4095a7095
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        Image|endswith: '\\rar.exe'
    condition: sel
`;
  const loaded = parseRuleText(text, 'r.yml');
  const [rar, other] = loaded.rules.map((r) => compileRule(r));
  const filter = (rules: string, logsource: string): ReturnType<typeof compileFilter> =>
    compileFilter(parseRuleText(`title: f\nlogsource: ${logsource}\nfilter:\n    rules: ${rules}\n    selection:\n        User|startswith: 'adm_'\n    condition: selection\n`, 'f.yml').filters[0]!);
  const admin = { Image: 'C:\\rar.exe', User: 'adm_bob' };
  const user = { Image: 'C:\\rar.exe', User: 'bob' };

  it('applies as "rule and not filter" to the rules it names (id or name)', () => {
    for (const ref of ['[6f3e2987-db24-4c78-a860-b4f4095a7095]', '[rar_compression]']) {
      const f = filter(ref, '{product: windows}');
      const tuned = applyFilters(rar!, [f]);
      assert.equal(tuned.match(ev(admin)), false, ref);
      assert.equal(tuned.match(ev(user)), true, ref);
      assert.deepEqual(tuned.anchors, rar!.anchors);
      assert.ok(tuned.cost > rar!.cost);
      assert.equal(applyFilters(other!, [f]), other, 'a rule the filter does not name is untouched');
    }
  });

  it('applies only when the logsources agree, and to every rule with any', () => {
    assert.equal(applyFilters(rar!, [filter('[rar_compression]', '{category: file_event, product: windows}')]), rar);
    assert.equal(applyFilters(rar!, [filter('[rar_compression]', '{product: linux}')]), rar);
    const any = filter('any', '{category: process_creation}');
    assert.equal(applyFilters(other!, [any]).match(ev(admin)), false);
    assert.equal(applyFilters(other!, [any, filter('[rar_compression]', '{product: windows}')]).match(ev(user)), true);
  });
});

describe('evaluation safety', () => {
  it('never throws: a failing EventView makes the rule not match', () => {
    const r = rule(`sel:\n    A: x\ncondition: sel`);
    const bad: EventView = {
      record: {},
      get() {
        throw new Error('boom');
      },
      keywords: () => [],
      time: () => 0,
    };
    assert.equal(r.match(bad), false);
  });

  it('re-reads fields when the same view shows another record', () => {
    const r = rule(`sel:\n    A: x\ncondition: sel`);
    const rec: { current: Record<string, unknown> } = { current: { A: 'x' } };
    const view: EventView = {
      get record() {
        return rec.current;
      },
      get: (f: string) => rec.current[f],
      keywords: () => [],
      time: () => 0,
    };
    assert.equal(r.match(view), true);
    rec.current = { A: 'y' };
    assert.equal(r.match(view), false);
  });

  it('matches the same event consistently across rules sharing the field cache', () => {
    const a = rule(`sel:\n    A|contains: abc\ncondition: sel`);
    const b = rule(`sel:\n    A|contains|cased: ABC\ncondition: sel`);
    const e = objectEventView({ A: 'xxABCxx' });
    assert.equal(a.match(e), true);
    assert.equal(b.match(e), true);
    assert.equal(a.match(e), true);
    assert.equal(matches(b, { A: 'xxabcxx' }), false);
  });
});
