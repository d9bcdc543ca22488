import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OBSERVABLE_FIELDS, eventObservables } from './observables.ts';
import { IndicatorSet } from './indicator-set.ts';

const MD5 = 'D41D8CD98F00B204E9800998ECF8427E';

test('default fields of a nested ECS event', () => {
  const event = {
    '@timestamp': '2024-01-01T00:00:00.000Z',
    source: { ip: '10.0.0.1', domain: 'src.example', user: { name: 'Alice', email: 'alice@corp.example' } },
    destination: { ip: '192.0.2.7', domain: 'evil.example', user: { name: 'bob' } },
    client: { ip: '10.0.0.2', domain: 'client.example' },
    server: { ip: '10.0.0.3', domain: 'server.example' },
    host: { ip: ['10.0.0.4', 'fe80::1'], name: 'web-1' },
    related: { ip: ['10.0.0.5'], hash: [MD5], user: ['carol'] },
    dns: { question: { name: 'q.evil.example' } },
    url: { full: 'http://evil.example/a', original: '/a', domain: 'evil.example' },
    file: { name: 'a.exe', path: 'C:\\Temp\\b.exe', hash: { md5: MD5, sha1: 'S1', sha256: 'S256' } },
    process: { name: 'c.exe', hash: { md5: 'PM' }, parent: { hash: { sha256: 'PPS' } } },
    email: { from: { address: ['x@evil.example'] }, to: { address: ['y@corp.example', 'z@corp.example'] } },
    user: { name: 'dave', email: 'dave@corp.example', target: { name: 'eve' } },
    original: { Image: 'C:\\x.exe' },
  };
  const got = eventObservables(event).map((o) => `${o.kind} ${o.field}=${o.value}`);
  assert.deepEqual(got, [
    'ip source.ip=10.0.0.1',
    'ip destination.ip=192.0.2.7',
    'ip client.ip=10.0.0.2',
    'ip server.ip=10.0.0.3',
    'ip host.ip=10.0.0.4',
    'ip host.ip=fe80::1',
    'ip related.ip=10.0.0.5',
    'domain dns.question.name=q.evil.example',
    'domain destination.domain=evil.example',
    'domain source.domain=src.example',
    'domain url.domain=evil.example',
    'domain server.domain=server.example',
    'domain client.domain=client.example',
    'url url.full=http://evil.example/a',
    'url url.original=/a',
    `hash file.hash.md5=${MD5}`,
    'hash file.hash.sha1=S1',
    'hash file.hash.sha256=S256',
    'hash process.hash.md5=PM',
    'hash process.parent.hash.sha256=PPS',
    `hash related.hash=${MD5}`,
    'email email.from.address=x@evil.example',
    'email email.to.address=y@corp.example',
    'email email.to.address=z@corp.example',
    'email user.email=dave@corp.example',
    'email source.user.email=alice@corp.example',
    'user user.name=dave',
    'user source.user.name=Alice',
    'user destination.user.name=bob',
    'user user.target.name=eve',
    'user related.user=carol',
    'filename file.name=a.exe',
    'filename process.name=c.exe',
    'filename file.path=b.exe',
  ]);
});

test('non-string values, empty strings and missing objects are skipped', () => {
  const event = {
    source: { ip: 167772161 },
    destination: { ip: '' },
    host: { ip: ['10.0.0.1', 5, null, { x: 1 }, ''] },
    user: 'not-an-object',
    file: null,
    related: { user: [['nested']] },
  };
  assert.deepEqual(eventObservables(event), [{ field: 'host.ip', kind: 'ip', value: '10.0.0.1' }]);
  assert.deepEqual(eventObservables({}), []);
});

test('flattened dotted ECS keys are read too', () => {
  const event = { 'source.ip': '10.9.9.9', dns: { 'question.name': 'x.example' } };
  assert.deepEqual(eventObservables(event), [
    { field: 'source.ip', kind: 'ip', value: '10.9.9.9' },
    { field: 'dns.question.name', kind: 'domain', value: 'x.example' },
  ]);
});

test('extra fields: original keys with dots tried whole first, then nested', () => {
  const event = {
    original: {
      Image: 'C:\\Windows\\Temp\\EVIL.EXE',
      'Event.Data.Hash': 'AA',
      Event: { Data: { Hash: 'BB', Ip: '1.2.3.4' } },
      Targets: ['t1.example', 't2.example'],
    },
    labels: { c2: 'c2.example' },
  };
  const extra = [
    { path: 'original.Image', kind: 'filename' as const },
    { path: 'original.Event.Data.Hash', kind: 'hash' as const },
    { path: 'original.Event.Data.Ip', kind: 'ip' as const },
    { path: 'original.Targets', kind: 'domain' as const },
    { path: 'original.Missing.Key', kind: 'user' as const },
    { path: 'labels.c2', kind: 'domain' as const },
  ];
  assert.deepEqual(eventObservables(event, extra), [
    { field: 'original.Image', kind: 'filename', value: 'EVIL.EXE' },
    { field: 'original.Event.Data.Hash', kind: 'hash', value: 'AA' },
    { field: 'original.Event.Data.Ip', kind: 'ip', value: '1.2.3.4' },
    { field: 'original.Targets', kind: 'domain', value: 't1.example' },
    { field: 'original.Targets', kind: 'domain', value: 't2.example' },
    { field: 'labels.c2', kind: 'domain', value: 'c2.example' },
  ]);
  // compiled once per array: a second call gives the same result
  assert.equal(eventObservables(event, extra).length, 6);
  // a string original is not walked into
  assert.deepEqual(eventObservables({ original: 'raw line' }, extra), []);
});

test('DEFAULT_OBSERVABLE_FIELDS lists every field with its kind', () => {
  const byPath = new Map(DEFAULT_OBSERVABLE_FIELDS.map((f) => [f.path, f.kind]));
  assert.equal(byPath.get('source.ip'), 'ip');
  assert.equal(byPath.get('related.ip'), 'ip');
  assert.equal(byPath.get('dns.question.name'), 'domain');
  assert.equal(byPath.get('url.original'), 'url');
  assert.equal(byPath.get('process.parent.hash.sha1'), 'hash');
  assert.equal(byPath.get('related.hash'), 'hash');
  assert.equal(byPath.get('email.to.address'), 'email');
  assert.equal(byPath.get('user.target.name'), 'user');
  assert.equal(byPath.get('related.user'), 'user');
  assert.equal(byPath.get('file.path'), 'filename');
  assert.equal(DEFAULT_OBSERVABLE_FIELDS.length, 36);
  assert.ok(Object.isFrozen(DEFAULT_OBSERVABLE_FIELDS));
});

test('observables feed IndicatorSet.match', () => {
  const set = new IndicatorSet();
  set.add('domain:evil.example', 'domain', 'evil.example');
  set.add('cidr:192.0.2.0/24', 'cidr', '192.0.2.0/24');
  set.add(`md5:${MD5.toLowerCase()}`, 'md5', MD5.toLowerCase());
  set.add('filename:mimikatz.exe', 'filename', 'mimikatz.exe');
  const event = {
    destination: { ip: '192.0.2.7' },
    dns: { question: { name: 'Q.Evil.Example' } },
    file: { path: 'C:\\Tools\\MIMIKATZ.EXE', hash: { md5: MD5 } },
  };
  const hits = eventObservables(event).flatMap((o) => set.match(o.kind, o.value).map((id) => `${o.field}:${id}`));
  assert.deepEqual(hits, [
    'destination.ip:cidr:192.0.2.0/24',
    'dns.question.name:domain:evil.example',
    `file.hash.md5:md5:${MD5.toLowerCase()}`,
    'file.path:filename:mimikatz.exe',
  ]);
});
