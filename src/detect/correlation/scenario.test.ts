/**
 * End to end from Sigma YAML: the specification's "failed logins followed by a successful login"
 * (a chained event_count → temporal_ordered), fed like the pipeline would: one RuleMatch per
 * matching event, base alerts withheld as the engine says.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuleMatch, SigmaRuleMeta } from '../types.ts';
import { CorrelationEngine } from './engine.ts';
import { correlationSpec } from '../ruleset.ts';
import { parseRuleText } from '../sigma/index.ts';
import { M, S, T0, match } from './testkit.ts';
import type { CorrelationAlert, CorrelationSpec } from './types.ts';

const FILE = `
title: Correlation - Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
status: experimental
correlation:
    type: temporal_ordered
    rules:
        - multiple_failed_login
        - successful_login
    group-by:
        - User
    timespan: 10m
level: high
tags:
    - attack.credential_access
    - attack.t1110
---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: multiple_failed_login
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - User
    timespan: 10m
    condition:
        gte: 10
---
title: Single failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 529
            - 4625
    condition: selection
---
title: Successful login
id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
name: successful_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 528
            - 4624
    condition: selection
`;

function load(): { specs: CorrelationSpec[]; rules: SigmaRuleMeta[] } {
  const specs: CorrelationSpec[] = [];
  // The real path: the Sigma parser's correlation documents, turned into engine specs.
  const parsed = parseRuleText(FILE, 'mr_bruteforce.yml');
  assert.deepEqual(parsed.rejections, []);
  specs.push(...parsed.correlations.map(correlationSpec));
  const rules: SigmaRuleMeta[] = parsed.rules.map((r) => r.meta);
  return { specs, rules };
}

describe('scenario: brute force followed by a success', () => {
  const { specs, rules } = load();
  const [failedRule, okRule] = rules;
  const events: Array<{ t: number; EventID: number; User: string; IpAddress: string }> = [];
  // alice: 12 failures in 2 minutes from one address, then a success 3 minutes later
  for (let i = 0; i < 12; i++) events.push({ t: T0 + i * 10 * S, EventID: 4625, User: 'alice', IpAddress: '203.0.113.9' });
  events.push({ t: T0 + 5 * M, EventID: 4624, User: 'alice', IpAddress: '203.0.113.9' });
  // bob: 9 failures (below 10) and a success
  for (let i = 0; i < 9; i++) events.push({ t: T0 + 30 * S + i * S, EventID: 4625, User: 'bob', IpAddress: '198.51.100.3' });
  events.push({ t: T0 + 6 * M, EventID: 4624, User: 'bob', IpAddress: '198.51.100.3' });
  // carol: a success first, then 10 failures: the wrong order
  events.push({ t: T0 + M, EventID: 4624, User: 'carol', IpAddress: '192.0.2.1' });
  for (let i = 0; i < 10; i++) events.push({ t: T0 + 2 * M + i * S, EventID: 4625, User: 'carol', IpAddress: '192.0.2.1' });
  // dave: 10 failures, and a success 11 minutes after the 10th: too late
  for (let i = 0; i < 10; i++) events.push({ t: T0 + i * S, EventID: 4625, User: 'dave', IpAddress: '192.0.2.2' });
  events.push({ t: T0 + 9 * S + 10 * M + 1, EventID: 4624, User: 'dave', IpAddress: '192.0.2.2' });
  events.sort((a, b) => a.t - b.t);

  const toMatch = (e: (typeof events)[number]): RuleMatch =>
    match(e.EventID === 4625 || e.EventID === 529 ? failedRule : okRule, e.t, { EventID: e.EventID, User: e.User, IpAddress: e.IpAddress });

  it('fires once, for alice, with the burst and the success; base and inner alerts are withheld', () => {
    const engine = new CorrelationEngine(specs, { allowedLatenessMs: 30 * S, maxGroupsPerRule: 1000, maxEventsPerGroup: 100, knownRules: rules });
    const raised: CorrelationAlert[] = [];
    let baseAlerts = 0;
    for (const e of events) {
      const r = engine.onMatch(toMatch(e));
      if (!r.suppressBase) baseAlerts++;
      raised.push(...r.fired);
    }
    raised.push(...engine.flush());
    assert.equal(baseAlerts, 0, 'failed_login and successful_login only feed correlations (generate: false)');

    const inner = raised.filter((a) => a.rule.name === 'multiple_failed_login');
    assert.deepEqual(inner.map((a) => a.group.User).sort(), ['alice', 'carol', 'dave']);
    assert.ok(inner.every((a) => a.suppressed));

    const outer = raised.filter((a) => !a.suppressed);
    assert.equal(outer.length, 1);
    const a = outer[0];
    assert.equal(a.rule.id, 'b180ead8-d58f-40b2-ae54-c8940995b9b6');
    assert.equal(a.rule.title, 'Correlation - Multiple Failed Logins Followed by Successful Login');
    assert.equal(a.rule.level, 'high');
    assert.deepEqual(a.rule.tags, ['attack.credential_access', 'attack.t1110']);
    assert.equal(a.rule.file, 'mr_bruteforce.yml');
    assert.deepEqual(a.group, { User: 'alice' });
    // the chain: the burst alert (at its 10th failure, T0 + 90 s) then the success
    assert.equal(a.start, T0 + 90 * S);
    assert.equal(a.end, T0 + 5 * M);
    assert.deepEqual(
      a.matches.map((m) => m.rule.name),
      ['multiple_failed_login', 'successful_login'],
    );
    const burst = a.matches[0].event.record as CorrelationAlert;
    assert.equal(burst.value, 10);
    assert.equal(burst.matches.length, 10);
    assert.ok(burst.matches.every((m) => m.event.get('EventID') === 4625 && m.event.get('User') === 'alice'));
    // fields not in the group come from the contributing matches
    assert.equal(a.matches[0].event.get('IpAddress'), '203.0.113.9');
  });

  it('the same run with the events slightly shuffled (within the lateness) gives the same alert', () => {
    const engine = new CorrelationEngine(specs, { allowedLatenessMs: 30 * S, maxGroupsPerRule: 1000, maxEventsPerGroup: 100 });
    // swap neighbours: every event arrives at most one position early or late (< 30 s apart here)
    const shuffled = [...events];
    for (let i = 0; i + 1 < shuffled.length; i += 2) {
      if (shuffled[i + 1].t - shuffled[i].t < 30 * S) [shuffled[i], shuffled[i + 1]] = [shuffled[i + 1], shuffled[i]];
    }
    assert.notDeepEqual(shuffled, events);
    const raised: CorrelationAlert[] = [];
    for (const e of shuffled) raised.push(...engine.onMatch(toMatch(e)).fired);
    const outer = raised.filter((a) => !a.suppressed);
    // the burst may complete on a different failure when neighbours swap; the verdict is the same
    assert.deepEqual(
      outer.map((a) => [a.group.User, a.end, (a.matches[0].event.record as CorrelationAlert).value]),
      [['alice', T0 + 5 * M, 10]],
    );
    assert.equal(engine.stats().lateDropped, 0);
  });
});
