import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NormalizeContext } from '../core/index.ts';
import { cefSeverity, normalizeCef, parseCef, scanKeyValues } from './cef.ts';
import { normalizeRecord } from './index.ts';

const ctx: NormalizeContext = { input: { type: 'syslog', name: 'syslog-tcp' }, receivedAt: new Date('2024-05-01T12:00:00.000Z') };

function ev(line: string): Record<string, any> {
  const r = normalizeCef(line, ctx);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value as Record<string, any>;
}

describe('cef: parsing (examples from the CEF specification)', () => {
  it('header and simple extension', () => {
    const r = parseCef('CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232');
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      version: '0', vendor: 'Security', product: 'threatmanager', deviceVersion: '1.0', signatureId: '100',
      name: 'worm successfully stopped', severity: '10', extensions: { src: '10.0.0.1', dst: '2.1.2.2', spt: '1232' }, leading: '',
    });
  });

  it('escaped pipe and backslash in the header; unescaped pipe in the extension', () => {
    const r = parseCef('CEF:0|security|threatmanager|1.0|100|detected a \\| in message|10|src=10.0.0.1 act=blocked a | dst=1.1.1.1');
    assert.ok(r.ok);
    assert.equal(r.value.name, 'detected a | in message');
    assert.deepEqual(r.value.extensions, { src: '10.0.0.1', act: 'blocked a |', dst: '1.1.1.1' });
    const b = parseCef('CEF:0|security|threatmanager|1.0|100|detected a \\\\ in packet|10|src=10.0.0.1 act=blocked a \\\\ dst=1.1.1.1');
    assert.ok(b.ok);
    assert.equal(b.value.name, 'detected a \\ in packet');
    assert.equal(b.value.extensions.act, 'blocked a \\');
  });

  it('escaped = and newlines in extension values; values with spaces', () => {
    const r = parseCef('CEF:0|security|threatmanager|1.0|100|detected an = in message|10|src=10.0.0.1 act=blocked a \\= dst=1.1.1.1 filePath=/user/username/dir/my\\=file.txt msg=Detected a threat.\\n No action needed.\\r');
    assert.ok(r.ok);
    assert.deepEqual(r.value.extensions, {
      src: '10.0.0.1', act: 'blocked a =', dst: '1.1.1.1', filePath: '/user/username/dir/my=file.txt',
      msg: 'Detected a threat.\n No action needed.\r',
    });
  });

  it('an unescaped = inside a value that is not preceded by a space stays in the value', () => {
    const { pairs } = scanKeyValues('request=https://x.test/a?b=c&d=e suser=bob', true);
    assert.deepEqual(pairs, [['request', 'https://x.test/a?b=c&d=e'], ['suser', 'bob']]);
  });

  it('missing extension and short headers', () => {
    const r = parseCef('CEF:0|V|P|1|sig|name|5|');
    assert.ok(r.ok);
    assert.deepEqual(r.value.extensions, {});
    const noTrailing = parseCef('CEF:0|V|P|1|sig|name|5');
    assert.ok(noTrailing.ok);
    assert.equal(noTrailing.value.severity, '5');
    const bad = parseCef('CEF:0|V|P|1');
    assert.equal(bad.ok ? '' : bad.error, 'cef: header needs 7 |-separated fields');
  });

  it('severity words and numbers', () => {
    assert.equal(cefSeverity('0'), 0);
    assert.equal(cefSeverity('10'), 10);
    assert.equal(cefSeverity('11'), null);
    assert.equal(cefSeverity('Low'), 3);
    assert.equal(cefSeverity('Medium'), 6);
    assert.equal(cefSeverity('High'), 8);
    assert.equal(cefSeverity('Very-High'), 10);
    assert.equal(cefSeverity('Unknown'), null);
  });
});

describe('cef: ECS mapping', () => {
  it('maps header and common extension keys', () => {
    const line = 'CEF:0|Trend Micro|Deep Security Agent|10.0|4000000|Eicar_test_file|6|cn1=1 cn1Label=Host ID dvchost=hostname cn2=205 cn2Label=Quarantine File Size suser=alice duser=bob src=203.0.113.5 spt=51515 dst=10.0.0.8 dpt=443 shost=attacker.example dhost=server.local proto=TCP act=Quarantine outcome=Success request=https://server.local/login?x\\=1 requestMethod=POST fname=eicar.exe filePath=C:\\\\Users\\\\bob\\\\eicar.exe fsize=68 fileHash=44D88612FEA8A8F36DE82E1278ABB02F rt=1714564800123 start=May 01 2024 11:59:00 msg=Realtime scan cs1Label=Rule Name cs1=Block EICAR';
    const e = ev(line);
    assert.equal(e['@timestamp'], '2024-05-01T12:00:00.123Z');
    assert.deepEqual(e.observer, { vendor: 'Trend Micro', product: 'Deep Security Agent', version: '10.0', hostname: 'hostname' });
    assert.deepEqual(e.event, {
      kind: 'event', code: '4000000', action: 'Quarantine', severity: 6, outcome: 'success', start: '2024-05-01T11:59:00.000Z',
    });
    assert.equal(e.message, 'Realtime scan');
    assert.deepEqual(e.source, { user: { name: 'alice' }, ip: '203.0.113.5', port: 51515, domain: 'attacker.example' });
    assert.deepEqual(e.destination, { user: { name: 'bob' }, ip: '10.0.0.8', port: 443, domain: 'server.local' });
    assert.deepEqual(e.user, { name: 'alice' });
    assert.deepEqual(e.network, { transport: 'tcp' });
    assert.deepEqual(e.url, { original: 'https://server.local/login?x=1' });
    assert.deepEqual(e.http, { request: { method: 'POST' } });
    assert.deepEqual(e.file, { name: 'eicar.exe', path: 'C:\\Users\\bob\\eicar.exe', size: 68, hash: { md5: '44d88612fea8a8f36de82e1278abb02f' } });
    assert.deepEqual(e.cef.custom, { 'Host ID': '1', 'Quarantine File Size': '205', 'Rule Name': 'Block EICAR' });
    assert.equal(e.cef.extensions.cs1Label, 'Rule Name');
    assert.equal(e.cef.extensions.fileHash, '44D88612FEA8A8F36DE82E1278ABB02F');
    assert.equal(e.cef.name, 'Eicar_test_file');
    assert.equal(e.cef.severity, '6');
    assert.equal(e.original, line);
    assert.equal(e.vigil, undefined);
  });

  it('Name is the action and message when act / msg are absent', () => {
    const e = ev('CEF:1|Vendor|Product|2.1|sig-7|Port scan detected|Very-High|src=198.51.100.1');
    assert.equal(e.event.action, 'Port scan detected');
    assert.equal(e.message, 'Port scan detected');
    assert.equal(e.event.severity, 10);
    assert.equal(e.cef.version, '1');
    assert.equal(e['@timestamp'], '2024-05-01T12:00:00.000Z'); // no rt: receivedAt
  });

  it('bad values are warnings, the event stays', () => {
    const e = ev('CEF:0|V|P|1|s|n|Critical|src=not-an-ip dpt=99999 rt=yesterday');
    assert.equal(e.source, undefined);
    assert.equal(e.destination, undefined);
    assert.equal(e['@timestamp'], '2024-05-01T12:00:00.000Z');
    assert.deepEqual(e.vigil.warnings, [
      "cef.severity: not 0-10 or a level: 'Critical'",
      "cef.src: not a valid ip: 'not-an-ip'",
      "cef.dpt: not a valid port: '99999'",
      "cef.rt: not a valid date: 'yesterday'",
    ]);
    assert.deepEqual(e.tags, ['_vigil_parse_warning']);
    assert.equal(e.cef.extensions.src, 'not-an-ip');
  });

  it('keys named like Object.prototype members are plain data', () => {
    const e = ev('CEF:0|V|P|1|s|n|1|constructor=x __proto__=y toString=z');
    assert.equal(Object.getPrototypeOf(e.cef.extensions), Object.prototype);
    assert.equal(e.cef.extensions.constructor, 'x');
    assert.equal(Object.getOwnPropertyDescriptor(e.cef.extensions, '__proto__')?.value, 'y');
    assert.equal(({} as any).y, undefined);
  });
});

describe('cef: after a syslog header (via normalizeRecord)', () => {
  it('BSD header: host from the header, time from rt, severity from CEF', () => {
    const line = '<134>Sep 19 08:26:10 fw-01 CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 rt=Sep 19 2023 08:26:09 UTC';
    const r = normalizeRecord({ kind: 'text', value: line }, { ...ctx, receivedAt: new Date('2023-09-19T08:26:11Z') });
    assert.ok(r.ok);
    const e = r.value as Record<string, any>;
    assert.equal(e['@timestamp'], '2023-09-19T08:26:09.000Z');
    assert.equal(e.host.name, 'fw-01');
    assert.equal(e.log.syslog.severity.name, 'info');
    assert.equal(e.event.severity, 10);
    assert.equal(e.event.code, '100');
    assert.equal(e.message, 'worm successfully stopped');
    assert.equal(e.process, undefined);
    assert.deepEqual(e.source, { ip: '10.0.0.1', port: 1232 });
    assert.equal(e.original, line);
  });

  it('RFC 5424 header with an app name', () => {
    const line = '<14>1 2024-05-01T12:00:00.000Z ids01 snort 321 - - CEF:0|Snort|IDS|3.0|1:2000|ET SCAN|7|src=192.0.2.1 dst=192.0.2.2';
    const r = normalizeRecord({ kind: 'text', value: line }, ctx);
    assert.ok(r.ok);
    const e = r.value as Record<string, any>;
    assert.equal(e.process.name, 'snort');
    assert.equal(e.observer.vendor, 'Snort');
    assert.equal(e.event.code, '1:2000');
    assert.equal(e.event.severity, 7);
    assert.equal(e.destination.ip, '192.0.2.2');
  });
});
