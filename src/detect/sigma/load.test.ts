import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatCondition } from './condition.ts';
import { lint } from './lint.ts';
import { loadRules, parseRuleText } from './load.ts';
import { rejectText, ruleYaml } from './testkit.ts';

const ID = '11111111-2222-4333-8444-555555555555';

describe('rule documents', () => {
  it('reads metadata into SigmaRuleMeta', () => {
    const text = `title: Whoami Execution
id: ${ID}
name: whoami_exec
status: test
description: Detects a whoami.exe execution
references:
    - https://example.org/a
author: Florian Roth
date: 2019-10-23
modified: 2024-01-02
tags:
    - attack.discovery
    - attack.t1033
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image: 'C:\\Windows\\System32\\whoami.exe'
    condition: selection
fields:
    - CommandLine
falsepositives: Admin activity
level: high
related:
    - id: 08fbc97d-0a2f-491c-ae21-8ffcfd3174e9
      type: derived
custom_field: anything
`;
    const r = parseRuleText(text, 'rules/whoami.yml');
    assert.deepEqual(r.rejections, []);
    const m = r.rules[0]!.meta;
    assert.deepEqual(m, {
      id: ID,
      title: 'Whoami Execution',
      tags: ['attack.discovery', 'attack.t1033'],
      logsource: { category: 'process_creation', product: 'windows' },
      file: 'rules/whoami.yml',
      document: 1,
      status: 'test',
      level: 'high',
      description: 'Detects a whoami.exe execution',
      author: 'Florian Roth',
      date: '2019-10-23',
      modified: '2024-01-02',
      name: 'whoami_exec',
      references: ['https://example.org/a'],
      falsepositives: ['Admin activity'],
      fields: ['CommandLine'],
    });
    assert.deepEqual(r.rules[0]!.related, [{ id: '08fbc97d-0a2f-491c-ae21-8ffcfd3174e9', type: 'derived' }]);
    assert.equal(r.documents, 1);
  });

  it('derives a stable id when there is none', () => {
    const text = ruleYaml(`sel:\n    A: b\ncondition: sel`).replace(`id: ${ID}\n`, '');
    const a = parseRuleText(text, 'a.yml').rules[0]!;
    const b = parseRuleText(text, 'b.yml').rules[0]!;
    assert.equal(a.syntheticId, true);
    assert.match(a.meta.id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(a.meta.id, b.meta.id);
  });
});

describe('rejections name the file, the rule and the field', () => {
  const base = ruleYaml(`sel:\n    A: b\ncondition: sel`);
  const cases: [string, string, RegExp, string, 'error' | 'unsupported'][] = [
    ['missing title', base.replace('title: Test rule\n', ''), /^title: missing required field$/, 'missing-field', 'error'],
    ['missing logsource', base.replace('logsource:\n    product: test\n', ''), /^logsource: missing required field$/, 'missing-field', 'error'],
    ['missing detection', base.replace(/detection:[\s\S]*$/, ''), /^detection: missing required field$/, 'missing-field', 'error'],
    ['missing condition', base.replace('    condition: sel\n', ''), /^detection\.condition: missing required field$/, 'missing-field', 'error'],
    ['invalid id', base.replace(ID, 'not-a-uuid'), /^id: invalid id format 'not-a-uuid' \(must be a UUID\)$/, 'id', 'error'],
    ['invalid level', `${base}level: severe\n`, /^level: invalid level 'severe'/, 'level', 'error'],
    ['invalid status', `${base}status: done\n`, /^status: invalid status 'done'/, 'status', 'error'],
    ['empty logsource', base.replace('    product: test\n', '    definition: x\n'), /^logsource: needs at least one of category, product, service$/, 'logsource', 'error'],
    ['no identifiers', base.replace('    sel:\n        A: b\n', ''), /^detection: no search identifiers$/, 'detection', 'error'],
    ['empty identifier', base.replace('        A: b\n', ''), /^detection\.sel: search identifier has no value$/, 'detection', 'error'],
    ['nested list value', base.replace('A: b', 'A: [[x]]'), /^detection\.sel\.A\[0\]: a value must be a string, number, boolean or null, not a nested list/, 'value', 'error'],
    ['undefined identifier', base.replace('condition: sel', 'condition: sel or other'), /^detection\.condition: condition names undefined search identifier 'other'/, 'identifier', 'error'],
    ['unknown modifier', base.replace('A: b', 'A|foo: b'), /^detection\.sel\.A\|foo: unknown modifier 'foo'$/, 'modifier', 'error'],
    ['all with one value', base.replace('A: b', 'A|all: b'), /^detection\.sel\.A\|all: modifier 'all' needs a list/, 'all-single', 'error'],
    ['null in a list', base.replace('A: b', 'A: [b, null]'), /^detection\.sel\.A: null inside a value list/, 'null-in-list', 'error'],
    ['unresolved placeholder', base.replace('A: b', "A|expand: '%Servers%'"), /^detection\.sel\.A\|expand: placeholder %Servers% \(expand modifier\) has no configured value$/, 'placeholder', 'unsupported'],
    ['old aggregation', base.replace('condition: sel', 'condition: sel | count(User) by Host > 5'), /^detection\.condition: old aggregation syntax '\| count\(User\) by Host > 5'/, 'aggregation', 'unsupported'],
    ['near', base.replace('condition: sel', 'condition: sel near sel'), /^detection\.condition: old 'near' operator/, 'near', 'unsupported'],
    ['timeframe', base.replace('    condition: sel', '    timeframe: 5m\n    condition: sel'), /^detection\.timeframe: the old aggregation time frame is not supported/, 'aggregation', 'unsupported'],
    ['catastrophic regex', base.replace('A: b', "A|re: '(a+)+b'"), /^detection\.sel\.A\|re: regular expression \/\(a\+\)\+b\/ has a nested quantifier/, 'regex-backtracking', 'unsupported'],
    ['regex lookaround', base.replace('A: b', "A|re: 'a(?!b)'"), /^detection\.sel\.A\|re: regular expression \/a\(\?!b\)\/ uses lookaround/, 'regex', 'unsupported'],
    ['not a map', 'just a string\n', /^a Sigma document must be a YAML map$/, 'document', 'error'],
  ];
  for (const [name, text, reason, feature, kind] of cases) {
    it(name, () => {
      const r = rejectText(text);
      assert.equal(r.file, 'bad.yml');
      assert.match(r.reason, reason);
      assert.equal(r.feature, feature);
      assert.equal(r.kind, kind);
      if (name !== 'not a map') {
        if (name === 'invalid id') assert.equal(r.rule_id, 'not-a-uuid');
        else assert.equal(r.rule_id, ID);
        if (name !== 'missing title') assert.equal(r.title, 'Test rule');
      }
    });
  }

  it('reports YAML errors with their line', () => {
    const r = rejectText('title: x\nlogsource: [a\n');
    assert.equal(r.feature, 'yaml');
    assert.match(r.reason, /^YAML: .*\(line \d+\)/);
    const dup = rejectText(`${ruleYaml('sel:\n    A: b\ncondition: sel')}title: again\n`);
    assert.match(dup.reason, /^YAML: Map keys must be unique/);
  });

  it('rejects each bad document of a multi-document file on its own', () => {
    const good = ruleYaml(`sel:\n    A: b\ncondition: sel`);
    const r = parseRuleText(`${good}---\n${good.replace('A: b', 'A|bad: b')}---\n${good.replace(ID, '22222222-2222-4333-8444-555555555555')}`, 'multi.yml');
    assert.equal(r.documents, 3);
    assert.equal(r.rules.length, 2);
    assert.equal(r.rejections.length, 1);
    assert.equal(r.rejections[0]!.document, 2);
  });
});

describe('collections (action: global / repeat / reset)', () => {
  it('merges the global document into the following ones', () => {
    const text = `action: global
title: Shared title
logsource:
    product: windows
detection:
    condition: selection
---
id: ${ID}
logsource:
    service: security
detection:
    selection:
        EventID: 4624
---
action: repeat
id: 22222222-2222-4333-8444-555555555555
detection:
    selection:
        EventID: 4625
---
action: reset
---
title: Alone
id: 33333333-2222-4333-8444-555555555555
logsource:
    product: linux
detection:
    selection:
        A: b
    condition: selection
`;
    const r = parseRuleText(text, 'collection.yml');
    assert.deepEqual(r.rejections, []);
    assert.equal(r.documents, 3);
    const [a, b, c] = r.rules;
    assert.equal(a!.meta.title, 'Shared title');
    assert.deepEqual(a!.meta.logsource, { product: 'windows', service: 'security' });
    assert.equal(b!.meta.title, 'Shared title');
    assert.equal(b!.meta.id, '22222222-2222-4333-8444-555555555555');
    assert.deepEqual(b!.meta.logsource, { product: 'windows', service: 'security' });
    assert.equal(c!.meta.title, 'Alone');
    assert.deepEqual(c!.meta.logsource, { product: 'linux' });
  });

  it('rejects unknown actions and repeat without a previous document', () => {
    assert.match(parseRuleText('action: merge\ntitle: x\n', 'c.yml').rejections[0]!.reason, /^action: unknown collection action "merge"/);
    assert.match(parseRuleText('action: repeat\ntitle: x\n', 'c.yml').rejections[0]!.reason, /'repeat' without a previous document/);
  });
});

describe('correlation documents', () => {
  it('parses an event_count correlation', () => {
    const r = parseRuleText(
      `title: Many failed logins
id: 0e95725d-7320-415d-80f7-004da920fc11
name: many_failed_logins
level: high
correlation:
    type: event_count
    rules:
        - 5638f7c0-ac70-491d-8465-2a65075e0d86
    group-by:
        - ComputerName
    timespan: 1h
    condition:
        gte: 100
`,
      'c.yml',
    );
    assert.deepEqual(r.rejections, []);
    const c = r.correlations[0]!;
    assert.equal(c.type, 'event_count');
    assert.deepEqual(c.rules, ['5638f7c0-ac70-491d-8465-2a65075e0d86']);
    assert.deepEqual(c.groupBy, ['ComputerName']);
    assert.equal(c.timespan, '1h');
    assert.equal(c.timespanMs, 3_600_000);
    assert.deepEqual(c.condition, { op: 'gte', value: 100 });
    assert.equal(c.generate, false);
    assert.equal(c.name, 'many_failed_logins');
    assert.equal(c.level, 'high');
  });

  it('parses value_count, temporal defaults, aliases, extended conditions and timespan units', () => {
    const vc = parseRuleText(
      `title: vc\ncorrelation:\n    type: value_count\n    rules: failed_login\n    group-by: [ComputerName, WorkstationName]\n    timespan: 1d\n    condition:\n        field: User\n        gt: 100\n        `,
      'c.yml',
    ).correlations[0]!;
    assert.deepEqual(vc.condition, { op: 'gt', value: 100, field: 'User' });
    assert.equal(vc.timespanMs, 86_400_000);
    assert.deepEqual(vc.rules, ['failed_login']);
    assert.equal(vc.syntheticId, true);

    const t = parseRuleText(
      `title: t
correlation:
    type: temporal
    rules: [internal_error, new_network_connection]
    group-by: [internal_ip, remote_ip]
    timespan: 10s
    generate: true
    aliases:
        internal_ip:
            internal_error: destination.ip
            new_network_connection: source.ip
        remote_ip:
            internal_error: source.ip
            new_network_connection: destination.ip
`,
      'c.yml',
    ).correlations[0]!;
    assert.deepEqual(t.condition, { op: 'gte', value: 2 });
    assert.equal(t.generate, true);
    assert.equal(t.aliases.internal_ip!.new_network_connection, 'source.ip');
    assert.equal(t.timespanMs, 10_000);

    const x = parseRuleText(
      `title: x\ncorrelation:\n    type: temporal_ordered\n    group-by: [User]\n    timespan: 5m\n    condition: recon_a and (recon_b or not recon_c)\n`,
      'c.yml',
    ).correlations[0]!;
    assert.deepEqual(x.rules, ['recon_a', 'recon_b', 'recon_c']);
    assert.equal(x.condition, null);
    assert.equal(formatCondition(x.expression!), 'recon_a and (recon_b or not recon_c)');

    for (const [span, ms] of [['30s', 30_000], ['90m', 5_400_000], ['2w', 1_209_600_000], ['1M', 2_629_746_000], ['1y', 31_556_952_000]] as const) {
      const c = parseRuleText(`title: s\ncorrelation:\n    type: event_count\n    rules: [a]\n    timespan: ${span}\n    condition: {gte: 2}\n`, 'c.yml').correlations[0]!;
      assert.equal(c.timespanMs, ms, span);
    }
    const range = parseRuleText(`title: r\ncorrelation:\n    type: event_count\n    rules: [a]\n    timespan: 1h\n    condition:\n        lte: 200\n        gt: 100\n`, 'c.yml').correlations[0]!;
    assert.deepEqual(range.condition, { op: 'gt', value: 100, and: [{ op: 'lte', value: 200 }] });
    const p = parseRuleText(`title: p\ncorrelation:\n    type: value_percentile\n    rules: [a]\n    timespan: 1d\n    condition: {field: Image, lte: 1, percentile: 95}\n`, 'c.yml').correlations[0]!;
    assert.deepEqual(p.condition, { op: 'lte', value: 1, field: 'Image', percentile: 95 });
  });

  it('rejects invalid correlations with the field at fault', () => {
    const bad = (corr: string): string => parseRuleText(`title: bad\ncorrelation:\n${corr}`, 'c.yml').rejections[0]?.reason ?? 'accepted';
    assert.match(bad('    type: event_sum\n    rules: [a]\n    timespan: 1h\n    condition: {gte: 1}\n'), /^correlation\.type: unknown correlation type 'event_sum'/);
    assert.match(bad('    type: event_count\n    rules: [a]\n    timespan: 1 hour\n    condition: {gte: 1}\n'), /^correlation\.timespan: invalid timespan '1 hour'/);
    assert.match(bad('    type: event_count\n    rules: [a]\n    timespan: 0m\n    condition: {gte: 1}\n'), /greater than zero/);
    assert.match(bad('    type: event_count\n    rules: [a]\n    timespan: 1h\n'), /^correlation\.condition: missing required field/);
    assert.match(bad('    type: event_count\n    rules: [a]\n    timespan: 1h\n    condition: {field: x}\n'), /^correlation\.condition: needs a comparison/);
    assert.match(bad('    type: event_count\n    rules: [a]\n    timespan: 1h\n    condition: {gte: many}\n'), /^correlation\.condition\.gte: must be a number/);
    assert.match(bad('    type: event_count\n    rules: [a]\n    timespan: 1h\n    condition: {gte: 1, over: 2}\n'), /^correlation\.condition: unknown key 'over'/);
    assert.match(bad('    type: value_count\n    rules: [a]\n    timespan: 1h\n    condition: {gte: 1}\n'), /^correlation\.condition\.field: a value_count correlation needs condition\.field/);
    assert.match(bad('    type: event_count\n    timespan: 1h\n    condition: {gte: 1}\n'), /^correlation\.rules: missing required field/);
    assert.match(bad('    type: event_count\n    rules: [a]\n    timespan: 1h\n    condition: a and b\n'), /only allowed for temporal correlations/);
    assert.match(bad('    type: temporal\n    rules: [a, b]\n    timespan: 1h\n    condition: a and c\n'), /rules not used in the condition: b/);
  });
});

describe('filter documents', () => {
  it('parses rules, logsource, identifiers and condition', () => {
    const r = parseRuleText(
      `title: Filter Administrator account
description: The valid administrator account start with adm_
logsource:
    category: process_creation
    product: windows
filter:
    rules:
        - 6f3e2987-db24-4c78-a860-b4f4095a7095
        - rar_compression
    selection:
        User|startswith: 'adm_'
    condition: selection
`,
      'f.yml',
    );
    assert.deepEqual(r.rejections, []);
    const f = r.filters[0]!;
    assert.deepEqual(f.rules, ['6f3e2987-db24-4c78-a860-b4f4095a7095', 'rar_compression']);
    assert.deepEqual(f.logsource, { category: 'process_creation', product: 'windows' });
    assert.deepEqual([...f.detection.identifiers.keys()], ['selection']);
    assert.deepEqual(f.conditionText, ['selection']);
    const any = parseRuleText(`title: a\nlogsource: {product: windows}\nfilter:\n    rules: any\n    sel: {User: x}\n    condition: sel\n`, 'f.yml').filters[0]!;
    assert.equal(any.rules, 'any');
  });

  it('rejects filters without rules or condition', () => {
    const r = parseRuleText(`title: a\nlogsource: {product: windows}\nfilter:\n    sel: {User: x}\n    condition: sel\n`, 'f.yml');
    assert.match(r.rejections[0]!.reason, /^filter\.rules: missing required field/);
    const c = parseRuleText(`title: a\nlogsource: {product: windows}\nfilter:\n    rules: any\n    sel: {User: x}\n    condition: sel and x\n`, 'f.yml');
    assert.match(c.rejections[0]!.reason, /^filter\.condition: condition names undefined search identifier 'x'/);
  });
});

describe('loadRules and lint over folders', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sigma-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const rule = (id: string, name: string, det = 'sel:\n    A: b\ncondition: sel'): string => ruleYaml(det).replace(ID, id).replace('detection:', `name: ${name}\ndetection:`);
  mkdirSync(join(dir, 'a', 'b'), { recursive: true });
  writeFileSync(join(dir, 'a', 'one.yml'), rule('aaaaaaaa-0000-4000-8000-000000000001', 'one'));
  writeFileSync(join(dir, 'a', 'b', 'two.yaml'), rule('aaaaaaaa-0000-4000-8000-000000000002', 'two'));
  writeFileSync(join(dir, 'a', 'b', 'notes.txt'), 'not a rule');
  writeFileSync(join(dir, 'dup.yml'), rule('aaaaaaaa-0000-4000-8000-000000000001', 'dup'));
  writeFileSync(join(dir, 'bad.yml'), rule('aaaaaaaa-0000-4000-8000-000000000003', 'bad', 'sel:\n    A|nope: b\ncondition: sel'));
  writeFileSync(join(dir, 'ph.yml'), rule('aaaaaaaa-0000-4000-8000-000000000004', 'ph', "sel:\n    A|expand: '%X%'\ncondition: sel"));
  writeFileSync(
    join(dir, 'corr.yml'),
    `title: c1\nid: cccccccc-0000-4000-8000-000000000001\nname: c1\ncorrelation:\n    type: temporal\n    rules: [one, aaaaaaaa-0000-4000-8000-000000000002]\n    group-by: [Host]\n    timespan: 5m\n---\ntitle: c2\ncorrelation:\n    type: event_count\n    rules: [c1]\n    timespan: 1h\n    condition: {gte: 3}\n---\ntitle: c3\ncorrelation:\n    type: event_count\n    rules: [missing_rule]\n    timespan: 1h\n    condition: {gte: 3}\n---\ntitle: c4\ncorrelation:\n    type: event_count\n    rules: [aaaaaaaa-0000-4000-8000-000000000003]\n    timespan: 1h\n    condition: {gte: 3}\n`,
  );
  writeFileSync(join(dir, 'filter.yml'), `title: f\nlogsource: {product: test}\nfilter:\n    rules: [one]\n    sel: {User: x}\n    condition: sel\n`);

  it('reads folders recursively and checks across files', () => {
    const r = loadRules([dir, join(dir, 'nowhere')]);
    assert.equal(r.files, 7);
    assert.equal(r.documents, 10);
    assert.deepEqual(r.rules.map((x) => x.meta.name).sort(), ['one', 'two']);
    assert.deepEqual(r.correlations.map((c) => c.title), ['c1', 'c2']);
    assert.deepEqual(r.correlations[0]!.resolved, ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002']);
    assert.deepEqual(r.correlations[1]!.resolved, ['cccccccc-0000-4000-8000-000000000001']);
    assert.equal(r.filters.length, 1);
    const reasons = r.rejections.map((x) => `${x.feature}:${x.reason}`).sort();
    assert.equal(reasons.length, 6);
    assert.match(reasons[0]!, /^duplicate-id:id: duplicate id \(already used in .*one\.yml\)$/);
    assert.match(reasons[1]!, /^io:cannot read: ENOENT$/);
    assert.match(reasons[2]!, /^modifier:detection\.sel\.A\|nope: unknown modifier 'nope'$/);
    assert.match(reasons[3]!, /^placeholder:/);
    assert.match(reasons[4]!, /^reference:correlation\.rules: rule 'aaaaaaaa-0000-4000-8000-000000000003' was rejected$/);
    assert.match(reasons[5]!, /^reference:correlation\.rules: unknown rule reference 'missing_rule'/);
  });

  it('uses configured placeholders', () => {
    const r = loadRules([join(dir, 'ph.yml')], { placeholders: { X: ['y'] } });
    assert.equal(r.rules.length, 1);
    assert.equal(r.rejections.length, 0);
  });

  it('lints: counts and a JSON-ready list of rejections', () => {
    const l = lint([dir]);
    assert.equal(l.files, 7);
    assert.equal(l.rules, 10);
    assert.equal(l.accepted, 5); // two rules, two correlations, one filter
    assert.equal(l.rejected.length, 5);
    assert.equal(l.unsupported, 1);
    assert.equal(l.correlations, 2);
    assert.equal(l.filters, 1);
    const json = JSON.parse(JSON.stringify({ files: l.files, rules: l.rules, accepted: l.accepted, rejected: l.rejected.map(({ file, rule_id, reason }) => ({ file, rule_id, reason })) }));
    assert.ok(json.rejected.every((x: { file: string; reason: string }) => x.file.length > 0 && x.reason.length > 0));
  });
});
