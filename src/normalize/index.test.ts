import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NormalizeContext, RawRecord } from '../core/index.ts';
import { normalizeRecord } from './index.ts';

const ctx: NormalizeContext = { input: { type: 'syslog', name: 'syslog-udp', address: '192.0.2.1:514' }, receivedAt: new Date('2024-05-01T12:00:00.000Z') };
type Rec = Record<string, any>;

function text(line: string, c: NormalizeContext = ctx): Rec {
  const r = normalizeRecord({ kind: 'text', value: line }, c);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value as Rec;
}

describe('normalizeRecord: text dispatch', () => {
  it('RFC 5424 first', () => {
    const e = text('<165>1 2024-05-01T12:00:00Z host app 1 ID - msg');
    assert.equal(e.log.syslog.version, '1');
    assert.equal(e.message, 'msg');
  });

  it('RFC 5424 + Linux auth on the MSG', () => {
    const e = text('<86>1 2024-05-01T11:59:59.5Z bastion sshd 4242 - - Failed password for root from 198.51.100.23 port 60000 ssh2');
    assert.equal(e['@timestamp'], '2024-05-01T11:59:59.500Z');
    assert.deepEqual(e.event, { kind: 'event', severity: 6, category: ['authentication'], type: ['start'], action: 'ssh_login', outcome: 'failure' });
    assert.deepEqual(e.user, { name: 'root' });
    assert.deepEqual(e.source, { ip: '198.51.100.23', port: 60000 });
    assert.deepEqual(e.process, { name: 'sshd', pid: 4242 });
    assert.equal(e.host.name, 'bastion');
  });

  it('bare CEF and bare LEEF', () => {
    assert.equal(text('CEF:0|V|P|1|s|name|3|src=10.0.0.1').observer.vendor, 'V');
    assert.equal(text('LEEF:1.0|V|P|1|E|src=10.0.0.1').leef.attributes.src, '10.0.0.1');
  });

  it('RFC 3164 with and without PRI', () => {
    assert.equal(text('<13>May  1 11:00:00 h app[1]: x').process.pid, 1);
    assert.equal(text('May  1 11:00:00 h app[1]: x').log.syslog.priority, undefined);
  });

  it('CEF after an unknown prefix', () => {
    const e = text('2024/05/01 12:00:00 gw01 CEF:0|Acme|GW|1|9|blocked|4|src=10.9.9.9');
    assert.equal(e.observer.vendor, 'Acme');
    assert.equal(e.source.ip, '10.9.9.9');
    assert.equal(e.original, '2024/05/01 12:00:00 gw01 CEF:0|Acme|GW|1|9|blocked|4|src=10.9.9.9');
  });

  it('anything else is a plain line with receivedAt', () => {
    const line = 'GET /index.html 200 - just some app output';
    assert.deepEqual(text(line), { '@timestamp': '2024-05-01T12:00:00.000Z', event: { kind: 'event' }, message: line, original: line });
  });

  it('trailing newline and leading BOM are removed from message but kept in original', () => {
    const e = text('\uFEFFplain\r\n');
    assert.equal(e.message, 'plain');
    assert.equal(e.original, '\uFEFFplain\r\n');
    const s = text('<13>May  1 11:00:00 h app: x\n');
    assert.equal(s.message, 'x');
  });

  it('an empty line is rejected', () => {
    const r = normalizeRecord({ kind: 'text', value: ' \r\n' }, ctx);
    assert.equal(r.ok ? '' : r.error, 'message: empty line');
  });

  it('the caller owns id, input and event.ingested', () => {
    for (const e of [text('<13>1 - - - - - - x'), text('plain'), normalizeRecord({ kind: 'object', value: { a: 1 } }, ctx)]) {
      const v = ('ok' in e ? (e as any).value : e) as Rec;
      assert.equal(v.id, undefined);
      assert.equal(v.input, undefined);
      assert.equal(v.event.ingested, undefined);
      assert.match(v['@timestamp'], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });

  it('timeZone option applies to zone-less syslog times', () => {
    const r = normalizeRecord({ kind: 'text', value: '<13>May  1 14:00:00 h app: x' }, ctx, { timeZone: 'Europe/Paris' });
    assert.ok(r.ok);
    assert.equal((r.value as Rec)['@timestamp'], '2024-05-01T12:00:00.000Z');
  });
});

describe('normalizeRecord: objects', () => {
  it('generic JSON and Windows', () => {
    const j = normalizeRecord({ kind: 'object', value: { 'user.name': 'ann' } }, ctx);
    assert.ok(j.ok);
    assert.deepEqual((j.value as Rec).user, { name: 'ann' });
    const w = normalizeRecord({ kind: 'object', value: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Image: 'C:\\x\\a.exe' } }, ctx);
    assert.ok(w.ok);
    assert.equal((w.value as Rec).process.name, 'a.exe');
  });
});

describe('normalizeRecord: never throws, stays fast on hostile input', () => {
  const seeds = [
    '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] msg',
    '<13>Nov 27 22:45:07 vm myapp[12]: hello',
    'CEF:0|V|P|1|s|n|5|src=10.0.0.1 msg=a\\=b cs1Label=x cs1=y rt=May 01 2024 12:00:00',
    'LEEF:2.0|V|P|1|E|^|src=1.1.1.1^devTime=May 01 2024 12:00:00^devTimeFormat=MMM dd yyyy HH:mm:ss',
    'Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]',
    '<85>Nov 27 22:55:39 vm sudo:     alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id',
  ];
  // deterministic PRNG
  let seed = 42;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = '<>[]|=\\" :;-0123456789abcCEFLx\t\n\uFEFF\u0000é';

  it('random mutations of real lines', () => {
    for (let i = 0; i < 5000; i++) {
      const s = seeds[rnd(seeds.length)].split('');
      const edits = 1 + rnd(6);
      for (let k = 0; k < edits; k++) {
        const pos = rnd(s.length + 1);
        const op = rnd(3);
        if (op === 0) s.splice(pos, 1);
        else if (op === 1) s.splice(pos, 0, alphabet[rnd(alphabet.length)]);
        else s.splice(pos, 0, ...s.slice(rnd(s.length), rnd(s.length)));
      }
      const r = normalizeRecord({ kind: 'text', value: s.join('') }, ctx);
      if (r.ok) assert.equal(typeof (r.value as Rec)['@timestamp'], 'string');
      else assert.equal(typeof r.error, 'string');
    }
  });

  it('pathological lengths and repetitions finish quickly', () => {
    const inputs = [
      '<13>1 ' + '- '.repeat(50000),
      '<13>1 - - - - - ' + '['.repeat(100000),
      '<13>1 - - - - - [a ' + 'p="x" '.repeat(20000) + ']',
      'CEF:0|a|b|c|d|e|f|' + 'k='.repeat(50000),
      'CEF:0|a|b|c|d|e|f|' + 'a'.repeat(100000) + '=',
      'CEF:0|' + '\\|'.repeat(50000),
      'LEEF:2.0|a|b|c|d|^|' + '^'.repeat(100000),
      'Jan  1 00:00:00 ' + 'x'.repeat(100000),
      'Jan  1 00:00:00 h sshd: Failed password for ' + ' from a'.repeat(300) + ' port',
      'CEF:'.repeat(30000),
    ];
    const t0 = performance.now();
    for (const s of inputs) {
      const r = normalizeRecord({ kind: 'text', value: s }, ctx);
      assert.equal(typeof r.ok, 'boolean');
    }
    assert.ok(performance.now() - t0 < 1000, `took ${performance.now() - t0} ms`);
  });

  it('unexpected record shapes give errors, not exceptions', () => {
    const weird = [
      { kind: 'text', value: 42 },
      { kind: 'object', value: null },
      { kind: 'object', value: 'x' },
      { kind: 'other', value: 'x' },
    ] as unknown as RawRecord[];
    for (const w of weird) assert.equal(normalizeRecord(w, ctx).ok, false);
    const getterBomb = { get message(): string { throw new Error('boom'); } };
    const r = normalizeRecord({ kind: 'object', value: getterBomb }, ctx);
    assert.equal(r.ok ? '' : r.error, 'normalize: internal error: boom');
  });
});
