/** Vigil's own rules (rules/): each sample event gives the expected verdict through the real engine. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawRecord, VigilEvent } from '../core/index.ts';
import { newId } from '../lib/index.ts';
import { normalizeRecord } from '../normalize/index.ts';
import { RuleSet } from './ruleset.ts';

const RULES = new URL('../../rules/', import.meta.url).pathname;

const toEvent = (raw: RawRecord): VigilEvent => {
  const result = normalizeRecord(raw, { input: { type: 'test', name: 'samples' }, receivedAt: new Date('2026-03-03T12:00:00Z') });
  assert.ok(result.ok, result.ok ? '' : result.error);
  return { ...result.value, id: newId(), input: { type: 'test', name: 'samples' } } as VigilEvent;
};

interface Samples {
  match?: Array<{ rule: string; event: Record<string, unknown> }>;
  no_match?: Array<{ rule: string; event: Record<string, unknown> }>;
  sequence?: Array<{ rule: string; lines: string[]; expect: 'fires' | 'silent' }>;
  /** Raw lines (as syslog or a file sends them) that must match on their own. */
  match_lines?: Array<{ rule: string; line: string }>;
}

describe("Vigil's own rules", () => {
  const folders = readdirSync(RULES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

  it('are all accepted', () => {
    const set = RuleSet.load({ paths: [RULES] });
    assert.deepEqual(set.rejections, []);
    assert.ok(set.rules.length >= 8, `only ${set.rules.length} rules`);
  });

  for (const folder of folders) {
    it(`${folder}: samples give the expected verdicts`, () => {
      const samples = JSON.parse(readFileSync(join(RULES, folder, 'samples.json'), 'utf8')) as Samples;
      for (const sample of samples.match ?? []) {
        const set = RuleSet.load({ paths: [join(RULES, folder)] });
        const fired = [...set.process(toEvent({ kind: 'object', value: sample.event })), ...set.flush()].map((d) => d.alert.rule.id);
        assert.ok(fired.includes(sample.rule), `${folder}: ${JSON.stringify(sample.event)} should match ${sample.rule}, got ${fired}`);
      }
      for (const sample of samples.no_match ?? []) {
        const set = RuleSet.load({ paths: [join(RULES, folder)] });
        const fired = [...set.process(toEvent({ kind: 'object', value: sample.event })), ...set.flush()].map((d) => d.alert.rule.id);
        assert.ok(!fired.includes(sample.rule), `${folder}: ${JSON.stringify(sample.event)} should not match ${sample.rule}`);
      }
      for (const sample of samples.match_lines ?? []) {
        const set = RuleSet.load({ paths: [join(RULES, folder)] });
        const fired = [...set.process(toEvent({ kind: 'text', value: sample.line })), ...set.flush()].map((d) => d.alert.rule.id);
        assert.ok(fired.includes(sample.rule), `${folder}: ${sample.line} should match ${sample.rule}, got ${fired}`);
      }
      for (const sample of samples.sequence ?? []) {
        const set = RuleSet.load({ paths: [join(RULES, folder)] });
        const detections = sample.lines.flatMap((line) => set.process(toEvent({ kind: 'text', value: line })));
        detections.push(...set.flush());
        const hits = detections.filter((d) => d.alert.rule.id === sample.rule);
        if (sample.expect === 'fires') {
          assert.equal(hits.length, 1, `${folder}: expected one alert of ${sample.rule}, got ${detections.map((d) => d.alert.rule.title)}`);
          const alert = hits[0]!.alert;
          assert.equal(alert.source, 'correlation');
          assert.equal(alert.rule.level, 'critical');
          assert.ok(alert.attack.tactics.includes('credential-access'));
          assert.equal(alert.attack.kill_chain_phase, 'actions-on-objectives');
          assert.equal(hits[0]!.events.length, sample.lines.length, 'the alert carries every contributing event');
        } else {
          assert.equal(hits.length, 0, `${folder}: ${sample.rule} should stay silent`);
        }
      }
    });
  }
});
