/** `vigil hunt` and `vigil rules lint`: the command-line contracts. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ndjson, tempDir, vigil } from './harness.ts';

const RULES = new URL('../rules', import.meta.url).pathname;
const SIGMA = new URL('../../shared/data/sigma', import.meta.url).pathname;

describe('vigil hunt', () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON object per detection with file and line, and correlations with their events', async () => {
    const windows = join(dir, 'windows.ndjson');
    writeFileSync(
      windows,
      ndjson([
        { EventID: 4624, Channel: 'Security', Computer: 'dc-1', TimeCreated_SystemTime: '2026-03-03T03:00:00Z' },
        { EventID: 1102, Channel: 'Security', Computer: 'dc-1', TimeCreated_SystemTime: '2026-03-03T03:01:00Z', SubjectUserName: 'mallory' },
      ]),
    );
    const auth = join(dir, 'auth.log');
    const lines = [1, 2, 3, 4, 5].map((i) => `<38>1 2026-03-03T02:00:0${i}Z bastion sshd 10${i} - - Failed password for root from 203.0.113.9 port 4000${i} ssh2`);
    lines.push('<38>1 2026-03-03T02:03:00Z bastion sshd 200 - - Accepted password for root from 203.0.113.9 port 40009 ssh2');
    writeFileSync(auth, `${lines.join('\n')}\n`);

    const result = await vigil(['hunt', '--rules', RULES, '--events', windows, auth, '--format', 'jsonl']);
    assert.equal(result.code, 0, result.stderr);
    const detections = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const cleared = detections.find((d) => d.title === 'Security Event Log Cleared');
    assert.deepEqual(
      { rule_id: cleared.rule_id, level: cleared.level, file: cleared.file, line: cleared.line, timestamp: cleared.timestamp },
      { rule_id: '2b8f2a4c-5e7d-4c0b-a1f3-7d9e3c6b5a02', level: 'high', file: windows, line: 2, timestamp: '2026-03-03T03:01:00.000Z' },
    );
    assert.ok(cleared.tags.includes('attack.t1070.001'));
    const brute = detections.find((d) => d.rule_id === 'ad6e8f2a-5b7c-4e9d-9f4a-9b0c2d4e6f08');
    assert.equal(brute.correlation, true);
    assert.deepEqual(brute.group, { 'source.ip': '203.0.113.9' });
    assert.deepEqual(brute.events.map((e: any) => e.line), [1, 2, 3, 4, 5, 6]);
    assert.ok(brute.events.every((e: any) => e.file === auth));
    assert.ok(!detections.some((d) => d.title === 'SSH Login Failed'), 'base rules of a correlation without generate stay silent');
    assert.match(result.stderr, /8 events, \d+ detections/);
  });

  it('prints a table by default and exits 2 on bad arguments or unreadable rules', async () => {
    const events = join(dir, 'one.ndjson');
    writeFileSync(events, ndjson([{ EventID: 1102, Channel: 'Security', Computer: 'dc-9', TimeCreated_SystemTime: '2026-03-03T03:01:00Z' }]));
    const table = await vigil(['hunt', '--rules', RULES, '--events', events]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /2026-03-03T03:01:00.000Z\s+high\s+Security Event Log Cleared\s+one\.ndjson:1\s+dc-9/);
    assert.equal((await vigil(['hunt', '--rules', join(dir, 'missing'), '--events', events])).code, 2);
    assert.equal((await vigil(['hunt', '--events', events])).code, 2);
    assert.equal((await vigil(['hunt', '--rules', RULES, '--events', events, '--format', 'xml'])).code, 2);
  });

  it('lists rejected rules on stderr with their reason and still runs the rest', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'title: Broken\nid: 0b5c1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f\nlogsource: { product: windows }\ndetection:\n  sel:\n    Image|bogus: x\n  condition: sel\n');
    const events = join(dir, 'two.ndjson');
    writeFileSync(events, ndjson([{ EventID: 1102, Channel: 'Security', Computer: 'dc-9', TimeCreated_SystemTime: '2026-03-03T03:01:00Z' }]));
    const result = await vigil(['hunt', '--rules', RULES, bad, '--events', events, '--format', 'jsonl']);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /bad\.yml.*bogus/);
    assert.equal(result.stdout.trim().split('\n').length, 1);
  });
});

describe('vigil rules lint', () => {
  it("accepts Vigil's own rules", async () => {
    const result = await vigil(['rules', 'lint', RULES, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.rejected.length, 0);
    assert.equal(report.accepted, report.rules);
    assert.equal(report.files, readdirSync(RULES, { withFileTypes: true }).filter((d) => d.isDirectory()).length);
  });

  it('accepts at least 99% of SigmaHQ and names the feature of every rejection', { skip: existsSync(SIGMA) ? false : `needs ${SIGMA}` }, async () => {
    const result = await vigil(['rules', 'lint', SIGMA, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.ok(report.files > 3000);
    assert.ok(report.accepted / report.rules >= 0.99, `accepted ${report.accepted} of ${report.rules}`);
    for (const rejection of report.rejected) {
      assert.ok(rejection.file && rejection.reason.length > 10, JSON.stringify(rejection));
      assert.ok(rejection.feature, `no feature class: ${JSON.stringify(rejection)}`);
    }
    const human = await vigil(['rules', 'lint', SIGMA]);
    assert.match(human.stdout, /accepted \(\d+\.\d%\)/);
  });
});

describe('vigil hunt --config', () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes placeholders from a vigil.yaml', async () => {
    writeFileSync(
      join(dir, 'admins.yml'),
      "title: Admin logon\nid: 5d7e9f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a\nlogsource: { product: windows, service: security }\ndetection:\n  sel:\n    EventID: 4624\n    TargetUserName|expand: '%admins%'\n  condition: sel\nlevel: medium\n",
    );
    writeFileSync(join(dir, 'vigil.yaml'), 'rules:\n  placeholders:\n    admins: [root-adm, dom-adm]\n');
    const events = join(dir, 'logons.ndjson');
    writeFileSync(events, ndjson(['alice', 'dom-adm'].map((user) => ({ EventID: 4624, Channel: 'Security', Computer: 'dc-1', TimeCreated_SystemTime: '2026-03-03T03:00:00Z', TargetUserName: user }))));
    const without = await vigil(['hunt', '--rules', join(dir, 'admins.yml'), '--events', events, '--format', 'jsonl']);
    assert.equal(without.stdout.trim(), '', 'without the placeholder the rule cannot run');
    assert.match(without.stderr, /placeholder/);
    const withConfig = await vigil(['hunt', '--rules', join(dir, 'admins.yml'), '--events', events, '--format', 'jsonl', '--config', join(dir, 'vigil.yaml')]);
    assert.equal(withConfig.code, 0, withConfig.stderr);
    const hits = withConfig.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(hits.map((h) => h.line), [2]);
  });
});
