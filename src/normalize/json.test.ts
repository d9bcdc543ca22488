import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NormalizeContext } from '../core/index.ts';
import { normalizeJson } from './json.ts';

const ctx: NormalizeContext = { input: { type: 'http', name: 'http' }, receivedAt: new Date('2024-05-01T12:00:00.000Z') };
type Rec = Record<string, any>;

function ev(o: Rec): Rec {
  const r = normalizeJson(o, ctx);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value as Rec;
}

describe('json: ECS pass-through', () => {
  it('nested ECS stays as it is; original is the object itself, untouched', () => {
    const o = {
      '@timestamp': '2024-05-01T14:00:00.5+02:00',
      event: { category: ['authentication'], outcome: 'failure' },
      host: { name: 'web1', ip: ['10.0.0.1'] },
      source: { ip: '203.0.113.9', port: 5555 },
      message: 'login failed',
      labels: { env: 'prod' },
    };
    const before = JSON.stringify(o);
    const e = ev(o);
    assert.deepEqual(e, {
      '@timestamp': '2024-05-01T12:00:00.500Z',
      event: { category: ['authentication'], outcome: 'failure', kind: 'event' },
      host: { name: 'web1', ip: ['10.0.0.1'] },
      source: { ip: '203.0.113.9', port: 5555 },
      message: 'login failed',
      labels: { env: 'prod' },
      original: o,
    });
    assert.equal(e.original, o);
    // the event is a copy: changing it does not change the original
    e.host.ip.push('x');
    e.event.kind = 'alert';
    assert.equal(JSON.stringify(o), before);
  });

  it('flat dotted keys become nested, mixed with nested objects', () => {
    const e = ev({ 'host.name': 'x', host: { ip: '1.2.3.4' }, 'source.ip': '10.0.0.1', 'source.port': 22, 'event.action': 'ssh_login', 'a.b.c': 1, ts: 1714564800 });
    assert.deepEqual(e.host, { name: 'x', ip: '1.2.3.4' });
    assert.deepEqual(e.source, { ip: '10.0.0.1', port: 22 });
    assert.deepEqual(e.event, { action: 'ssh_login', kind: 'event' });
    assert.deepEqual(e.a, { b: { c: 1 } });
    assert.equal(e.ts, 1714564800);
    assert.equal(e['@timestamp'], '2024-05-01T12:00:00.000Z');
    assert.equal(e['host.name'], undefined);
  });

  it('dotted keys inside nested objects expand too; odd keys stay literal', () => {
    const e = ev({ user: { 'group.name': 'admins' }, 'a..b': 1, '.x': 2, 'y.': 3 });
    assert.deepEqual(e.user, { group: { name: 'admins' } });
    assert.equal(e['a..b'], 1);
    assert.equal(e['.x'], 2);
    assert.equal(e['y.'], 3);
  });

  it('collisions: first value kept, warning names the key', () => {
    const e = ev({ host: 'web1', 'host.name': 'x' });
    // a string host becomes host.name only after expansion; the dotted key could not nest under a string
    assert.deepEqual(e.host, { name: 'web1' });
    assert.equal(e['host.name'], 'x');
    assert.deepEqual(e.vigil.warnings, ['host.name: a parent of this dotted key is not an object; key kept as is']);
    const d = ev({ 'a.b': 1, a: { b: 2 } });
    assert.deepEqual(d.a, { b: 1 });
    assert.deepEqual(d.vigil.warnings, ['b: duplicate key, first value kept']);
    assert.deepEqual(d.tags, ['_vigil_parse_warning']);
  });

  it('prototype-like keys are plain data and pollute nothing', () => {
    const o = JSON.parse('{"__proto__": {"polluted": 1}, "constructor.prototype.x": 2, "a.__proto__.y": 3}');
    const e = ev(o);
    assert.equal(({} as Rec).polluted, undefined);
    assert.equal(({} as Rec).x, undefined);
    assert.equal(({} as Rec).y, undefined);
    assert.equal(Object.getPrototypeOf(e), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(e, '__proto__')?.value, { polluted: 1 });
    assert.deepEqual(e.constructor, { prototype: { x: 2 } });
    assert.deepEqual(Object.getOwnPropertyDescriptor(e.a, '__proto__')?.value, { y: 3 });
  });
});

describe('json: timestamps', () => {
  const t = (o: Rec): string => ev(o)['@timestamp'];
  it('candidate fields in order, all formats', () => {
    assert.equal(t({ '@timestamp': '2024-05-01T12:00:00Z', timestamp: 0 }), '2024-05-01T12:00:00.000Z');
    assert.equal(t({ timestamp: '2024-05-01T12:00:00.123+00:00' }), '2024-05-01T12:00:00.123Z');
    assert.equal(t({ time: 'Wed, 01 May 2024 14:00:00 +0200' }), '2024-05-01T12:00:00.000Z');
    assert.equal(t({ ts: 1714564800.25 }), '2024-05-01T12:00:00.250Z');
    assert.equal(t({ ts: '1714564800123' }), '2024-05-01T12:00:00.123Z');
    assert.equal(t({ date: '2024-05-01 12:00:00' }), '2024-05-01T12:00:00.000Z');
    assert.equal(t({ eventTime: 1714564800123 }), '2024-05-01T12:00:00.123Z');
    assert.equal(t({ event: { created: '2024-05-01T12:00:00Z' } }), '2024-05-01T12:00:00.000Z');
    assert.equal(t({ 'event.created': '2024-05-01T11:00:00Z' }), '2024-05-01T11:00:00.000Z');
    assert.equal(t({ '@timestamp': 1714564800 }), '2024-05-01T12:00:00.000Z');
  });

  it('no time at all: receivedAt', () => {
    const e = ev({ message: 'x' });
    assert.equal(e['@timestamp'], '2024-05-01T12:00:00.000Z');
    assert.equal(e.vigil, undefined);
  });

  it('an unreadable @timestamp rejects the record with the field named', () => {
    const r = normalizeJson({ '@timestamp': 'yesterday', message: 'x' }, ctx);
    assert.equal(r.ok, false);
    assert.equal(r.ok ? '' : r.error, "@timestamp: not a valid date: 'yesterday'");
    const r2 = normalizeJson({ '@timestamp': { $date: 1 } }, ctx);
    assert.equal(r2.ok ? '' : r2.error, `@timestamp: not a valid date: '{"$date":1}'`);
  });

  it('an unreadable guessed time field is a warning and the next one is used', () => {
    const e = ev({ time: 'noon', ts: 1714564800 });
    assert.equal(e['@timestamp'], '2024-05-01T12:00:00.000Z');
    assert.deepEqual(e.vigil.warnings, ["time: not a valid date: 'noon'"]);
    assert.equal(e.time, 'noon');
    const f = ev({ date: 'today' });
    assert.equal(f['@timestamp'], '2024-05-01T12:00:00.000Z');
    const g = ev({ time: { start: 1, end: 2 } }); // an object named time is not a timestamp
    assert.equal(g.vigil, undefined);
  });
});

describe('json: leniency', () => {
  it('string event → event.action, string host → host.name', () => {
    const e = ev({ event: 'user_login', host: 'db1', message: 'ok' });
    assert.deepEqual(e.event, { kind: 'event', action: 'user_login' });
    assert.deepEqual(e.host, { name: 'db1' });
  });

  it('non-string message: numbers stringified, objects dropped with a warning', () => {
    assert.equal(ev({ message: 42 }).message, '42');
    const e = ev({ message: { text: 'x' } });
    assert.equal(e.message, undefined);
    assert.deepEqual(e.vigil.warnings, ['message: not a string, dropped (kept in original)']);
    assert.deepEqual(e.original.message, { text: 'x' });
  });

  it('existing tags and vigil objects are extended, not replaced', () => {
    const e = ev({ tags: ['a'], vigil: { source: 'x' }, time: 'bad' });
    assert.deepEqual(e.tags, ['a', '_vigil_parse_warning']);
    assert.deepEqual(e.vigil, { source: 'x', warnings: ["time: not a valid date: 'bad'"] });
  });

  it('a record field named original is reported, the record is original', () => {
    const o = { original: 'raw text', message: 'm' };
    const e = ev(o);
    assert.equal(e.original, o);
    assert.deepEqual(e.vigil.warnings, ["original: reserved field; the record's own value is at original.original"]);
  });

  it('deep and wide records are copied without recursion', () => {
    let deep: Rec = { leaf: true };
    for (let i = 0; i < 10000; i++) deep = { n: deep };
    const wide: Rec = {};
    for (let i = 0; i < 10000; i++) wide[`f${i}.x`] = i;
    const e = ev({ deep, wide });
    let cur = e.deep;
    for (let i = 0; i < 10000; i++) cur = cur.n;
    assert.deepEqual(cur, { leaf: true });
    assert.notEqual(e.deep, deep);
    assert.equal(e.wide.f9999.x, 9999);
    assert.equal(Object.keys(e.wide).length, 10000);
  });

  it('rejects non-objects', () => {
    const r = normalizeJson([1, 2] as unknown as Rec, ctx);
    assert.equal(r.ok ? '' : r.error, 'record: not a JSON object');
  });
});

describe('json: CEF / LEEF inside message, Windows routing', () => {
  it('a CEF message fills missing fields; the record wins on conflicts', () => {
    const e = ev({
      host: { name: 'collector' }, source: { ip: '192.0.2.99' },
      message: 'CEF:0|Fortinet|FortiGate|7.0|0001|traffic denied|5|src=10.0.0.1 dst=10.0.0.2 dpt=445 act=deny rt=1714564800000',
    });
    assert.equal(e['@timestamp'], '2024-05-01T12:00:00.000Z');
    assert.deepEqual(e.source, { ip: '192.0.2.99' });
    assert.deepEqual(e.destination, { ip: '10.0.0.2', port: 445 });
    assert.equal(e.event.action, 'deny');
    assert.equal(e.event.severity, 5);
    assert.equal(e.observer.vendor, 'Fortinet');
    assert.equal(e.message.startsWith('CEF:0|Fortinet'), true);
    assert.equal(e.cef.extensions.dpt, '445');
  });

  it('a LEEF message is parsed too', () => {
    const e = ev({ message: 'LEEF:1.0|IBM|QRadar|7.5|login|src=10.1.1.1\tusrName=ann', timestamp: '2024-05-01T10:00:00Z' });
    assert.equal(e['@timestamp'], '2024-05-01T10:00:00.000Z');
    assert.deepEqual(e.user, { name: 'ann' });
    assert.equal(e.event.code, 'login');
  });

  it('Windows-shaped objects are routed to the Windows normaliser', () => {
    const e = ev({ EventID: 4625, Channel: 'Security', Computer: 'dc1', TimeCreated_SystemTime: '2024-05-01T12:00:00Z', TargetUserName: 'bob', IpAddress: '198.51.100.3' });
    assert.equal(e.event.code, '4625');
    assert.equal(e.event.action, 'logon-failed');
    assert.deepEqual(e.source, { ip: '198.51.100.3' });
    assert.equal(e.winlog.event_data.TargetUserName, 'bob');
  });
});
