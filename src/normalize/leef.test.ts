import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NormalizeContext } from '../core/index.ts';
import { normalizeRecord } from './index.ts';
import { compileJavaDateFormat, normalizeLeef, parseLeef, parseWithJavaFormat } from './leef.ts';
import { UTC } from './time.ts';

const ctx: NormalizeContext = { input: { type: 'syslog', name: 'syslog-tcp' }, receivedAt: new Date('2024-05-01T12:00:00.000Z') };
const REF = ctx.receivedAt.getTime();

function ev(line: string): Record<string, any> {
  const r = normalizeLeef(line, ctx);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value as Record<string, any>;
}

describe('leef: parsing', () => {
  it('LEEF 1.0, tab-separated (IBM documentation sample)', () => {
    const r = parseLeef('LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0\tdst=172.50.123.1\tsev=5\tcat=anomaly\tsrcPort=81\tdstPort=21\tusrName=joe.black');
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      version: '1.0', vendor: 'Microsoft', product: 'MSExchange', productVersion: '4.0 SP1', eventId: '15345', delimiter: '\t',
      attributes: { src: '192.0.2.0', dst: '172.50.123.1', sev: '5', cat: 'anomaly', srcPort: '81', dstPort: '21', usrName: 'joe.black' },
    });
  });

  it('LEEF 2.0 delimiter as a character, as hex (x5E, 0x5e), and as x09', () => {
    for (const d of ['^', 'x5E', '0x5e']) {
      const r = parseLeef(`LEEF:2.0|Lancope|StealthWatch|1.0|41|${d}|src=192.0.2.0^dst=172.50.123.1^sev=5^cat=anomaly^srcPort=81^dstPort=21^usrName=joe.black`);
      assert.ok(r.ok);
      assert.equal(r.value.delimiter, '^', d);
      assert.equal(r.value.attributes.usrName, 'joe.black');
      assert.equal(r.value.attributes.src, '192.0.2.0');
    }
    const t = parseLeef('LEEF:2.0|V|P|1|E|x09|a=1\tb=2');
    assert.ok(t.ok);
    assert.deepEqual(t.value.attributes, { a: '1', b: '2' });
  });

  it('LEEF 2.0 without the delimiter field defaults to tab', () => {
    const r = parseLeef('LEEF:2.0|V|P|1|E|a=1\tb=x=y');
    assert.ok(r.ok);
    assert.equal(r.value.delimiter, '\t');
    assert.deepEqual(r.value.attributes, { a: '1', b: 'x=y' });
  });

  it('a delimiter inside a value (piece without =) is kept with the previous value', () => {
    const r = parseLeef('LEEF:2.0|V|P|1|E|^|msg=a^b^c^d=1');
    assert.ok(r.ok);
    assert.deepEqual(r.value.attributes, { msg: 'a^b^c', d: '1' });
  });

  it('LEEF 1.0 sent with spaces instead of tabs is split by key=', () => {
    const r = parseLeef('LEEF:1.0|V|P|1|E|src=10.0.0.1 usrName=Jane Doe dst=10.0.0.2');
    assert.ok(r.ok);
    assert.deepEqual(r.value.attributes, { src: '10.0.0.1', usrName: 'Jane Doe', dst: '10.0.0.2' });
  });

  it('rejects a truncated header', () => {
    const r = parseLeef('LEEF:1.0|V|P');
    assert.equal(r.ok ? '' : r.error, 'leef: header needs 5 |-separated fields');
  });
});

describe('leef: devTimeFormat (Java SimpleDateFormat)', () => {
  it('common patterns', () => {
    const iso = (v: string, f: string): string | null => {
      const ms = parseWithJavaFormat(v, f, REF, UTC);
      return ms === null ? null : new Date(ms).toISOString();
    };
    assert.equal(iso('Sep 29 2014 08:26:10.647 EDT', 'MMM dd yyyy HH:mm:ss.SSS z'), '2014-09-29T12:26:10.647Z');
    assert.equal(iso('2014-09-29T08:26:10.647-0400', "yyyy-MM-dd'T'HH:mm:ss.SSSZ"), '2014-09-29T12:26:10.647Z');
    assert.equal(iso('29/09/2014 08:26:10 PM GMT+02:00', 'dd/MM/yyyy hh:mm:ss a z'), '2014-09-29T18:26:10.000Z');
    // no date parts: Jan 1 of the year closest to the reference (2024-05-01); 12 AM is midnight
    assert.equal(iso('12:00:00 AM', 'hh:mm:ss a'), '2024-01-01T00:00:00.000Z');
    assert.equal(iso('12:30:00 PM', 'hh:mm:ss a'), '2024-01-01T12:30:00.000Z');
    assert.equal(iso('Sep 29 2014', 'MMM dd yyyy HH'), null);
    assert.equal(compileJavaDateFormat('yyyy-MM-dd QQ'), null); // unsupported letter
  });
});

describe('leef: ECS mapping', () => {
  it('maps the predefined keys and keeps every attribute', () => {
    const line = 'LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=192.0.2.10^dst=172.50.123.1^sev=5^cat=anomaly^srcPort=81^dstPort=21^usrName=joe.black^proto=6^devTime=Sep 29 2014 08:26:10.647 EDT^devTimeFormat=MMM dd yyyy HH:mm:ss.SSS z^url=https://x.test/^srcBytes=100';
    const e = ev(line);
    assert.equal(e['@timestamp'], '2014-09-29T12:26:10.647Z');
    assert.deepEqual(e.event, { kind: 'event', code: '41', severity: 5 });
    assert.deepEqual(e.observer, { vendor: 'Lancope', product: 'StealthWatch', version: '1.0' });
    assert.deepEqual(e.source, { ip: '192.0.2.10', port: 81, bytes: 100 });
    assert.deepEqual(e.destination, { ip: '172.50.123.1', port: 21 });
    assert.deepEqual(e.user, { name: 'joe.black' });
    assert.deepEqual(e.network, { transport: 'tcp', iana_number: '6' });
    assert.deepEqual(e.url, { original: 'https://x.test/' });
    assert.equal(e.leef.category, 'anomaly');
    assert.equal(e.leef.delimiter, '^');
    assert.equal(e.leef.attributes.devTimeFormat, 'MMM dd yyyy HH:mm:ss.SSS z');
    assert.equal(e.message, line);
    assert.equal(e.original, line);
  });

  it('devTime as epoch milliseconds without a format; a text proto is lower-cased', () => {
    const e = ev('LEEF:1.0|V|P|1|E|devTime=1411993570647\tproto=UDP');
    assert.equal(e['@timestamp'], '2014-09-29T12:26:10.647Z');
    assert.deepEqual(e.network, { transport: 'udp' });
  });

  it('an unparseable devTime is a warning and receivedAt is used', () => {
    const e = ev('LEEF:1.0|V|P|1|E|devTime=29.09.2014 08:26\tdevTimeFormat=MMM dd yyyy\tsev=urgent');
    assert.equal(e['@timestamp'], '2024-05-01T12:00:00.000Z');
    assert.deepEqual(e.vigil.warnings, [
      "leef.sev: not 1-10: 'urgent'",
      "leef.devTime: not a valid date for format 'MMM dd yyyy': '29.09.2014 08:26'",
    ]);
  });

  it('after a syslog header: the LEEF fields join the syslog event', () => {
    const line = '<13>Sep 29 08:26:10 qradar-src LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.0\tdst=172.50.123.1\tusrName=joe.black';
    const r = normalizeRecord({ kind: 'text', value: line }, { ...ctx, receivedAt: new Date('2014-09-29T08:27:00Z') });
    assert.ok(r.ok);
    const e = r.value as Record<string, any>;
    assert.equal(e['@timestamp'], '2014-09-29T08:26:10.000Z');
    assert.equal(e.host.name, 'qradar-src');
    assert.equal(e.event.code, '15345');
    assert.equal(e.event.severity, 5); // from PRI: no sev attribute
    assert.deepEqual(e.user, { name: 'joe.black' });
  });
});
