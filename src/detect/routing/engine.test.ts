import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Anchor, CompiledRule, EventView, Logsource, SigmaRuleMeta } from '../types.ts';
import { DetectionEngine } from './engine.ts';
import { WINDOWS_CORPUS, loadWindowsCorpus, pick, rng, skipUnless, toEvent } from './fixtures.ts';

let n = 0;
function rule(logsource: Logsource, match: (v: EventView) => boolean, anchors: Anchor[] | null, extra: Partial<SigmaRuleMeta> = {}): CompiledRule {
  const id = `r-${n++}`;
  return {
    meta: { id, title: id, tags: [], logsource, file: `${id}.yml`, document: 1, ...extra },
    match,
    anchors,
    cost: 1,
  };
}
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const contains = (field: string, lit: string) => (v: EventView) => str(v.get(field)).toLowerCase().includes(lit.toLowerCase());

const PC: Logsource = { product: 'windows', category: 'process_creation' };

const sysmon1 = () =>
  toEvent({
    kind: 'object',
    value: {
      EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Provider_Name: 'Microsoft-Windows-Sysmon', Computer: 'WS1',
      TimeCreated_SystemTime: '2024-03-01T10:00:00.000Z',
      Image: 'C:\\Windows\\System32\\cmd.exe', ParentImage: 'C:\\Program Files\\Microsoft Office\\WINWORD.EXE', CommandLine: 'cmd /c whoami',
    },
  });
const security4688 = () =>
  toEvent({
    kind: 'object',
    value: {
      EventID: 4688, Channel: 'Security', Provider_Name: 'Microsoft-Windows-Security-Auditing', Computer: 'WS2',
      TimeCreated_SystemTime: '2024-03-01T10:00:01.000Z',
      NewProcessName: 'C:\\Windows\\System32\\cmd.exe', ParentProcessName: 'C:\\Windows\\explorer.exe', CommandLine: 'cmd',
    },
  });

describe('DetectionEngine', () => {
  it('routes, prefilters and matches; the same rule sees Sysmon and Security names through their mappings', () => {
    let calls = 0;
    const counting = (f: (v: EventView) => boolean) => (v: EventView) => {
      calls++;
      return f(v);
    };
    const rules = [
      rule(PC, counting(contains('Image', '\\cmd.exe')), [{ field: 'Image', literal: '\\cmd.exe' }], { title: 'cmd' }),
      rule(PC, counting(contains('Image', '\\rundll32.exe')), [{ field: 'Image', literal: '\\rundll32.exe' }]),
      rule(PC, counting((v) => str(v.get('ParentImage')).toLowerCase().endsWith('\\winword.exe')), null),
      rule({ product: 'windows', service: 'security' }, counting(contains('NewProcessName', 'cmd')), [{ field: 'NewProcessName', literal: 'cmd' }]),
      rule({ product: 'windows' }, counting((v) => v.keywords().some((k) => k.includes('whoami'))), [{ field: null, literal: 'WHOAMI' }]),
    ];
    const engine = new DetectionEngine(rules);
    const a = engine.evaluate(sysmon1());
    assert.deepEqual(a.map((m) => m.rule.id), [rules[0].meta.id, rules[2].meta.id, rules[4].meta.id]);
    assert.equal(calls, 3, 'the rundll32 rule was not evaluated');
    assert.equal(a[0].time, Date.parse('2024-03-01T10:00:00.000Z'));
    assert.equal(a[0].event.get('Image'), 'C:\\Windows\\System32\\cmd.exe');
    calls = 0;
    const b = engine.evaluate(security4688());
    assert.deepEqual(b.map((m) => m.rule.id).sort(), [rules[0].meta.id, rules[3].meta.id].sort());
    assert.equal(calls, 3, 'cmd (via NewProcessName), the always-run winword rule, the security rule');
    const s = engine.stats();
    assert.equal(s.rules, 5);
    assert.equal(s.routed, 5);
    assert.equal(s.alwaysRun, 1);
    assert.equal(s.events, 2);
    assert.equal(s.matches, 5);
    assert.deepEqual(s.logsources.map((l) => [l.key, l.rules]), [['windows/process_creation/*', 3], ['windows/*/security', 1], ['windows/*/*', 1]]);
  });

  it('reports rules whose logsource has no mapping, and never evaluates them', () => {
    const rules = [
      rule({ product: 'windows', category: 'file_access' }, () => true, null),
      rule({ product: 'okta', service: 'okta' }, () => true, null),
      rule(PC, () => true, null),
    ];
    const engine = new DetectionEngine(rules);
    assert.equal(engine.rejections.length, 2);
    assert.equal(engine.rejections[0].kind, 'unsupported');
    assert.match(engine.rejections[0].reason, /^unsupported: logsource windows\/file_access\/\* .* has no mapping/);
    assert.equal(engine.rejections[0].rule_id, rules[0].meta.id);
    const s = engine.stats();
    assert.deepEqual(s.unsupported.map((u) => [u.key, u.rules]), [['windows/file_access/*', [rules[0].meta.id]], ['okta/*/okta', [rules[1].meta.id]]]);
    assert.equal(s.routed, 1);
    assert.deepEqual(engine.evaluate(sysmon1()).map((m) => m.rule.id), [rules[2].meta.id]);
  });

  it('counts a throwing rule as an error and a non-match', () => {
    const engine = new DetectionEngine([rule(PC, () => { throw new Error('bug'); }, null), rule(PC, () => true, null)]);
    assert.equal(engine.evaluate(sysmon1()).length, 1);
    assert.equal(engine.stats().errors, 1);
  });

  it('gives the same matches as evaluateNaive on the corpus with many random anchored rules', { skip: skipUnless(WINDOWS_CORPUS) }, () => {
    const corpus = loadWindowsCorpus();
    const r = rng(7);
    // Literals drawn from real values (so that rules do match) and some random ones.
    const samples: Array<{ ls: Logsource; field: string; value: string }> = [];
    const pairs: Array<[string, Logsource, string[]]> = [
      ['Microsoft-Windows-Sysmon/Operational', PC, ['Image', 'CommandLine', 'ParentImage', 'User']],
      ['Microsoft-Windows-Sysmon/Operational', { product: 'windows', category: 'image_load' }, ['ImageLoaded', 'Image']],
      ['Microsoft-Windows-Sysmon/Operational', { product: 'windows', category: 'registry_set' }, ['TargetObject', 'Details']],
      ['Security', { product: 'windows', service: 'security' }, ['SubjectUserName', 'ObjectName', 'ShareName', 'IpAddress']],
      ['Security', PC, ['Image', 'ParentImage', 'CommandLine']],
    ];
    for (const c of corpus) {
      for (const [channel, ls, fields] of pairs) {
        if (c.raw.Channel !== channel) continue;
        const f = pick(r, fields);
        const raw = channel === 'Security' && ls === PC ? ({ Image: 'NewProcessName', ParentImage: 'ParentProcessName' } as Record<string, string>)[f] ?? f : f;
        const v = c.raw[raw];
        if (typeof v === 'string' && v.length > 3) samples.push({ ls, field: f, value: v });
      }
    }
    let calls = 0;
    let anchoredCalls = 0;
    let anchoredHits = 0;
    const counted = (f: (v: EventView) => boolean, anchored = true) => (v: EventView) => {
      calls++;
      const hit = f(v);
      if (anchored) {
        anchoredCalls++;
        if (hit) anchoredHits++;
      }
      return hit;
    };
    const rules: CompiledRule[] = [];
    for (let i = 0; i < 1500; i++) {
      const s = pick(r, samples);
      const start = Math.floor(r() * (s.value.length - 3));
      const lit = r() < 0.1 ? `zz${i}qq` : s.value.slice(start, start + 3 + Math.floor(r() * 12));
      const mode = r();
      if (mode < 0.8) rules.push(rule(s.ls, counted(contains(s.field, lit)), [{ field: s.field, literal: lit.toLowerCase() }]));
      else if (mode < 0.9) rules.push(rule(s.ls, counted((v) => v.keywords().some((k) => k.toLowerCase().includes(lit.toLowerCase()))), [{ field: null, literal: lit }]));
      else rules.push(rule(s.ls, counted(contains(s.field, lit), false), null));
    }
    const engine = new DetectionEngine(rules);
    let matches = 0;
    let fastCalls = 0;
    let slowCalls = 0;
    for (const c of corpus) {
      calls = anchoredCalls = anchoredHits = 0;
      const fast = engine.evaluate(c.event).map((m) => m.rule.id);
      fastCalls += calls;
      // An anchored rule here tests exactly its anchor literal, so the prefilter must offer it
      // exactly when it matches: every anchored evaluation is a hit.
      assert.equal(anchoredCalls, anchoredHits, `${c.file}: anchored candidates that do not match`);
      calls = 0;
      const slow = engine.evaluateNaive(c.event).map((m) => m.rule.id);
      slowCalls += calls;
      assert.deepEqual(fast, slow, c.file);
      matches += fast.length;
    }
    const s = engine.stats();
    assert.ok(matches > 1000, `rules match sometimes (${matches})`);
    assert.equal(s.candidatesEvaluated, fastCalls);
    assert.ok(fastCalls < slowCalls / 2, `the prefilter removes evaluations (${fastCalls} vs ${slowCalls})`);
    assert.ok(s.alwaysRun > 100 && s.alwaysRun < 250);
  });
});
