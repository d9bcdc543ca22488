import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VigilEvent } from '../../core/index.ts';
import { compileRouting, defaultCompiledRouting } from './compile.ts';
import { buildEventView, collectKeywords, EventContext, KEYWORD_LIMITS } from './view.ts';

const base = (extra: Record<string, unknown>): VigilEvent =>
  ({ id: 'E1', input: { type: 'http', name: 'http' }, '@timestamp': '2024-05-01T10:00:00.123Z', original: {}, ...extra }) as VigilEvent;

describe('EventView', () => {
  const routing = defaultCompiledRouting();

  it('reads Windows names from winlog.event_data, system fields from winlog, then original and the event path', () => {
    const ev = base({
      winlog: { event_id: '1', channel: 'Microsoft-Windows-Sysmon/Operational', computer_name: 'WS1', event_data: { Image: 'C:\\a.exe', Empty: '' } },
      process: { executable: 'C:\\a.exe' },
      original: { EventID: 1, OnlyInOriginal: 'o', 'dotted.key': 'd' },
      message: 'hello',
    });
    const v = buildEventView(ev, routing.fieldMapping('windows'));
    assert.equal(v.get('Image'), 'C:\\a.exe');
    assert.equal(v.get('EventID'), '1');
    assert.equal(v.get('Computer'), 'WS1');
    assert.equal(v.get('Empty'), '');
    assert.equal(v.get('OnlyInOriginal'), 'o');
    assert.equal(v.get('dotted.key'), 'd');
    assert.equal(v.get('process.executable'), 'C:\\a.exe');
    assert.equal(v.get('Missing'), undefined);
    assert.equal(v.get('Missing'), undefined, 'cached absent');
    assert.equal(v.get('constructor'), undefined, 'no inherited members');
    assert.equal(v.time(), Date.parse('2024-05-01T10:00:00.123Z'));
    assert.equal(v.record, ev);
  });

  it('applies branch renames, several names in order', () => {
    const m = routing.fieldMapping('windows', { Image: 'NewProcessName', Signature: ['ThreatName', 'Threat Name'] });
    const v = buildEventView(base({ winlog: { event_data: { NewProcessName: 'C:\\b.exe', 'Threat Name': 'EICAR', Image: 'wrong' } } }), m);
    assert.equal(v.get('Image'), 'C:\\b.exe');
    assert.equal(v.get('Signature'), 'EICAR');
    assert.equal(routing.fieldMapping('windows', { Signature: ['ThreatName', 'Threat Name'], Image: 'NewProcessName' }), m, 'interned');
  });

  it('returns null for a present null, and values of any type as they are', () => {
    const r = compileRouting({ fieldsets: { f: { map: { A: ['a.first', 'a.second'] } } }, logsources: [{ id: 'x', product: 'p', when: [{ conditions: {} }] }] });
    const v = buildEventView(base({ a: { first: null, second: 'no' }, n: 5, arr: [1, 'x'] }), r.fieldMapping('f'));
    assert.equal(v.get('A'), null, 'the first present path wins, null counts as present');
    assert.equal(v.get('n'), 5);
    assert.deepEqual(v.get('arr'), [1, 'x']);
  });

  it('keywords: string leaves of original plus message, bounded, shared by the views of one event', () => {
    const ev = base({ original: { a: 'x', b: { c: ['y', 3, { d: 'z' }] }, e: true }, message: 'm' });
    assert.deepEqual(collectKeywords(ev), ['x', 'y', 'z', 'm']);
    assert.deepEqual(collectKeywords(base({ original: 'line', message: 'line' })), ['line']);
    const huge = base({ original: { list: Array.from({ length: 100000 }, (_, i) => `s${i}`) } });
    assert.equal(collectKeywords(huge).length, KEYWORD_LIMITS.maxStrings);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100000; i++) deep = { n: deep };
    assert.deepEqual(collectKeywords(base({ original: deep })), [], 'deep nesting stops at the node budget, no stack overflow');
    const ctx = new EventContext(ev);
    const v1 = ctx.view(routing.fieldMapping('windows'));
    const v2 = ctx.view(routing.fieldMapping('linux'));
    assert.notEqual(v1, v2);
    assert.equal(v1.keywords(), v2.keywords());
    assert.equal(ctx.view(routing.fieldMapping('windows')), v1);
  });
});
