/**
 * The SigmaHQ rule set (read from /work/shared/data/sigma, never copied into the project):
 * at least 99% of its rule documents load and compile, every rejection names the feature at
 * fault, and on real Windows events every match is covered by the rule's anchors.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { Anchor, CompiledRule, EventView } from '../types.ts';
import { compileRule } from './compile.ts';
import { matchIdentifiers } from './condition.ts';
import { rawValue, scalarString } from './eval.ts';
import { objectEventView } from './event.ts';
import { formatRejection, lint, summarizeRejections } from './lint.ts';
import { loadRules } from './load.ts';
import type { ConditionNode, DetectionNode, ParsedRule } from './types.ts';
import { compileValue } from './values.ts';

const SIGMA = '/work/shared/data/sigma';
const EVENTS = '/work/shared/data/windows-events';
const FEATURES = new Set([
  'yaml', 'missing-field', 'id', 'level', 'status', 'logsource', 'detection', 'metadata', 'document', 'collection', 'value', 'modifier',
  'all-single', 'null-in-list', 'placeholder', 'regex', 'regex-backtracking', 'cidr', 'windash', 'aggregation', 'near', 'condition',
  'identifier', 'correlation', 'filter', 'duplicate-id', 'reference', 'io',
]);

function present(t: TestContext, path: string): boolean {
  if (existsSync(path)) return true;
  t.skip(`${path} not present`);
  return false;
}

describe('SigmaHQ rules', () => {
  it('loads and compiles at least 99% of the rule documents; every rejection names its feature', (t) => {
    if (!present(t, SIGMA)) return;
    const t0 = performance.now();
    const res = lint([SIGMA]);
    const ms = performance.now() - t0;
    const ratio = res.accepted / res.rules;
    const summary = summarizeRejections(res.rejected);
    t.diagnostic(`files ${res.files}, documents ${res.rules}, accepted ${res.accepted} (${(ratio * 100).toFixed(2)}%), in ${ms.toFixed(0)} ms`);
    t.diagnostic(`rejections by class: ${JSON.stringify(summary)}`);
    for (const r of res.rejected) t.diagnostic(formatRejection(r).replace(`${SIGMA}/`, ''));
    assert.ok(res.files > 3000, `files ${res.files}`);
    assert.ok(ratio >= 0.99, `accepted ${res.accepted} of ${res.rules}`);
    for (const r of res.rejected) {
      assert.ok(FEATURES.has(r.feature), `unknown feature class '${r.feature}' for ${r.reason}`);
      assert.ok(r.file.startsWith(SIGMA), r.file);
      assert.ok(r.reason.length > 10 && r.reason.includes(': '), `reason names the field: ${r.reason}`);
      assert.ok(r.rule_id !== null || r.title !== undefined, `rule named: ${r.reason}`);
    }
    // The known classes in this rule set: placeholders (rules-placeholder), genuinely
    // exponential regexes, and the logsource mapping file that is not a rule.
    for (const feature of Object.keys(summary.error)) assert.ok(['missing-field'].includes(feature), `unexpected error class ${feature}`);
  });
});

function* eventFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* eventFiles(p);
    else if (name.endsWith('.ndjson')) yield p;
  }
}

/** A plain interpreter: every value tested on its own, no grouping, indexing or reordering. */
function reference(p: ParsedRule): (e: EventView) => boolean {
  const node = (n: DetectionNode): ((e: EventView) => boolean) => {
    if (n.t !== 'item') {
      const t = n.items.map(node);
      return n.t === 'and' ? (e) => t.every((f) => f(e)) : (e) => t.some((f) => f(e));
    }
    const it = n.item;
    const vs = it.values.map((v) => compileValue(it.field, v, it.path).test);
    const inner = it.all ? (e: EventView) => vs.every((f) => f(e)) : (e: EventView) => vs.some((f) => f(e));
    if (!it.negated) return inner;
    return (e) => {
      const r = rawValue(e, it.field!);
      return r !== undefined && r !== null && !inner(e);
    };
  };
  const ids = p.detection.identifiers;
  const cond = (c: ConditionNode): ((e: EventView) => boolean) => {
    switch (c.t) {
      case 'id':
        return node(ids.get(c.name)!);
      case 'not': {
        const a = cond(c.arg);
        return (e) => !a(e);
      }
      case 'of': {
        const t = matchIdentifiers(c.pattern, ids.keys()).map((n) => node(ids.get(n)!));
        return c.quant === 'all' ? (e) => t.every((f) => f(e)) : (e) => t.some((f) => f(e));
      }
      default: {
        const t = c.args.map(cond);
        return c.t === 'and' ? (e) => t.every((f) => f(e)) : (e) => t.some((f) => f(e));
      }
    }
  };
  return cond(p.condition);
}

function anchorOccurs(a: Anchor, e: EventView): boolean {
  if (a.field === null) return e.keywords().some((k) => k.toLowerCase().includes(a.literal));
  const v = e.get(a.field);
  return (Array.isArray(v) ? v : [v]).some((x) => {
    const s = scalarString(x);
    return s !== null && s.toLowerCase().includes(a.literal);
  });
}

describe('SigmaHQ rules on real Windows events', () => {
  it('every match is covered by an anchor and agrees with a plain interpreter; evaluation is fast', (t) => {
    if (!present(t, SIGMA) || !present(t, EVENTS)) return;
    const loaded = loadRules([join(SIGMA, 'rules', 'windows')]);
    const rules: CompiledRule[] = loaded.rules.map((r) => compileRule(r));
    const plain = loaded.rules.map(reference);
    const events: EventView[] = [];
    for (const f of eventFiles(EVENTS)) {
      for (const line of readFileSync(f, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          events.push(objectEventView(JSON.parse(line) as Record<string, unknown>));
        } catch {
          // not JSON: skip the line
        }
      }
    }
    const sample = events.filter((_, i) => i % Math.max(1, Math.floor(events.length / 3000)) === 0);
    let evaluations = 0;
    let hits = 0;
    const hitRules = new Set<string>();
    const t0 = performance.now();
    for (const e of sample) {
      for (const r of rules) {
        evaluations++;
        if (!r.match(e)) continue;
        hits++;
        hitRules.add(r.meta.id);
        if (r.anchors !== null) {
          assert.ok(r.anchors.some((a) => anchorOccurs(a, e)), `${r.meta.title}: anchors ${JSON.stringify(r.anchors)} not in ${JSON.stringify(e.record).slice(0, 400)}`);
        }
      }
    }
    const ms = performance.now() - t0;
    for (const e of sample) {
      for (let i = 0; i < rules.length; i++) {
        assert.equal(rules[i]!.match(e), plain[i]!(e), `${rules[i]!.meta.title} on ${JSON.stringify(e.record).slice(0, 300)}`);
      }
    }
    const anchored = rules.filter((r) => r.anchors !== null).length;
    t.diagnostic(
      `${rules.length} windows rules (${anchored} anchored), ${sample.length} events: ${evaluations} evaluations in ${ms.toFixed(0)} ms ` +
        `(${((evaluations / ms) * 1000).toFixed(0)} rule evaluations/s), ${hits} matches by ${hitRules.size} rules`,
    );
    assert.ok(hits > 50, `hits ${hits}`);
    assert.ok(anchored / rules.length > 0.9, `anchored ${anchored} of ${rules.length}`);
  });
});
