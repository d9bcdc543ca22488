import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VigilEvent } from '../core/index.ts';
import { RuleSet } from './ruleset.ts';

const base = `title: Failed logon
id: 11111111-2222-4333-8444-555555555555
name: failed_logon
logsource: { product: windows, service: security }
detection:
  sel: { EventID: 4625 }
  condition: sel
level: low
`;

const event = (i: number, user: string, bytes?: number): VigilEvent => ({
  id: `e${i}`,
  '@timestamp': new Date(Date.UTC(2026, 2, 3, 2, 0, i)).toISOString(),
  input: { type: 't', name: 't' },
  event: { code: '4625' },
  winlog: { channel: 'Security', event_id: '4625', event_data: { TargetUserName: user, Bytes: bytes ?? 0 } },
  original: { EventID: 4625, Channel: 'Security', TargetUserName: user },
});

function withRules(text: string, run: (set: RuleSet) => void, maxEventsPerGroup?: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ruleset-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), text);
    run(RuleSet.load({ paths: [dir], latenessMs: 0, maxEventsPerGroup }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('RuleSet', () => {
  it('keeps both ends of a range condition', () => {
    const correlation = `---
title: Three or four failures
id: 22222222-3333-4444-8555-666666666666
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 1m
  condition: { gte: 3, lte: 4 }
level: medium
`;
    withRules(base + correlation, (set) => {
      assert.deepEqual(set.rejections, []);
      const fired = (events: VigilEvent[]) => [...events.flatMap((e) => set.process(e)), ...set.flush()].filter((d) => d.correlation);
      // alice: 5 failures (above the range); bob: 3 (inside it).
      const detections = fired([...[0, 1, 2, 3, 4].map((i) => event(i, 'alice')), ...[5, 6, 7].map((i) => event(i, 'bob'))]);
      assert.deepEqual(detections.map((d) => d.alert.correlation?.group), [{ TargetUserName: 'bob' }]);
      assert.equal(detections[0]!.alert.correlation?.value, 3);
    });
  });

  it('runs value_median as the 50th percentile and rejects multi-field distinct counts with a reason', () => {
    const correlations = `---
title: Median bytes
id: 33333333-4444-4555-8666-777777777777
correlation:
  type: value_median
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 1m
  condition: { gte: 100, field: Bytes }
level: medium
---
title: Distinct pairs
id: 44444444-5555-4666-8777-888888888888
correlation:
  type: value_count
  rules: [failed_logon]
  timespan: 1m
  condition: { gte: 2, field: [TargetUserName, Bytes] }
level: medium
`;
    withRules(base + correlations, (set) => {
      assert.equal(set.rejections.length, 1);
      assert.match(set.rejections[0]!.reason, /several fields/);
      const detections = [event(0, 'carol', 50), event(1, 'carol', 150), event(2, 'carol', 200)].flatMap((e) => set.process(e));
      detections.push(...set.flush());
      const median = detections.filter((d) => d.alert.rule.id === '33333333-4444-4555-8666-777777777777');
      assert.equal(median.length, 1);
      assert.equal(median[0]!.alert.correlation?.value, 150);
    });
  });

  it('sets aside a correlation the engine cannot run, with its reason, and runs the others', () => {
    const correlations = `---
title: Needs more than a group holds
id: 55555555-6666-4777-8888-999999999999
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 1m
  condition: { gte: 50 }
level: medium
---
title: Two failures
id: 66666666-7777-4888-8999-aaaaaaaaaaaa
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 1m
  condition: { gte: 2 }
level: medium
`;
    withRules(base + correlations, (set) => {
      assert.deepEqual(set.rejections.map((r) => r.rule_id), ['55555555-6666-4777-8888-999999999999']);
      assert.match(set.rejections[0]!.reason, /55555555|Needs more/);
      const fired = [event(0, 'dave'), event(1, 'dave')].flatMap((e) => set.process(e)).filter((d) => d.correlation);
      assert.deepEqual(fired.map((d) => d.alert.rule.id), ['66666666-7777-4888-8999-aaaaaaaaaaaa']);
    }, 10);
  });
});
