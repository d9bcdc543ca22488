import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { correlationSpecFromSigma, parseTimespan } from './sigma.ts';
import { CorrelationConfigError } from './types.ts';

describe('parseTimespan', () => {
  it('number + unit, in milliseconds', () => {
    assert.equal(parseTimespan('30s'), 30_000);
    assert.equal(parseTimespan('90m'), 5_400_000);
    assert.equal(parseTimespan('1h'), 3_600_000);
    assert.equal(parseTimespan('1d'), 86_400_000);
    assert.equal(parseTimespan('2w'), 1_209_600_000);
  });
  it('rejects anything else', () => {
    for (const bad of ['', '0s', '1', 'h', '1H', '1M', '1y', '1.5h', '-1m', '1h30m', 5, null]) assert.equal(parseTimespan(bad), null, String(bad));
  });
});

describe('correlationSpecFromSigma', () => {
  it('maps the YAML keys, including group-by, timespan, aliases, ranges and generate', () => {
    const doc = parse(`
title: Possible exfiltration
id: 0e95725d-7320-415d-80f7-004da920fc11
name: exfil
status: test
level: critical
tags: [attack.exfiltration]
correlation:
    type: value_sum
    rules:
        - website_access
    group-by: SourceIP
    timespan: 1h
    generate: true
    aliases:
        src:
            website_access: source.ip
    condition:
        field: bytes_sent
        gt: 1000000
        lte: 9000000
`);
    assert.deepEqual(correlationSpecFromSigma(doc, { file: 'mr_exfil.yml', document: 1 }), {
      id: '0e95725d-7320-415d-80f7-004da920fc11',
      name: 'exfil',
      title: 'Possible exfiltration',
      level: 'critical',
      tags: ['attack.exfiltration'],
      status: 'test',
      description: undefined,
      type: 'value_sum',
      rules: ['website_access'],
      group_by: ['SourceIP'],
      timespan_ms: 3_600_000,
      condition: { field: 'bytes_sent', gt: 1_000_000, lte: 9_000_000 },
      aliases: { src: { website_access: 'source.ip' } },
      generate: true,
      file: 'mr_exfil.yml',
      document: 1,
    });
  });

  it('defaults: generate false, no condition for temporal, id from name', () => {
    const s = correlationSpecFromSigma(parse('title: t\nname: recon\ncorrelation: {type: temporal, rules: [a, b], group-by: [Host], timespan: 5m}'));
    assert.equal(s.id, 'recon');
    assert.equal(s.generate, false);
    assert.equal(s.condition, undefined);
    assert.deepEqual(s.tags, []);
  });

  it('reports every problem, naming the document', () => {
    try {
      correlationSpecFromSigma(parse('title: Bad\ncorrelation: {type: event_sum, rules: 5, timespan: 1y, condition: "a and b", generate: "yes"}'), { file: 'x.yml' });
      assert.fail('accepted');
    } catch (e) {
      assert.ok(e instanceof CorrelationConfigError);
      assert.equal(e.errors.length, 6, e.errors.join('\n'));
      assert.ok(e.errors.every((m) => m.startsWith('correlation "Bad" in x.yml: ')));
      for (const re of [/id or a name/, /type "event_sum"/, /rules must be/, /timespan "1y"/, /extended string conditions/, /generate must be/]) {
        assert.ok(e.errors.some((m) => re.test(m)), String(re));
      }
    }
  });
});
