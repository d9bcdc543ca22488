import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { NormalizeContext } from '../core/index.ts';
import { looksLikeRfc5424, normalizeRfc5424, parseRfc5424, parseStructuredData } from './rfc5424.ts';

const ctx: NormalizeContext = { input: { type: 'syslog', name: 'syslog-udp' }, receivedAt: new Date('2024-05-01T12:00:00.000Z') };

function ev(line: string): Record<string, any> {
  const r = normalizeRfc5424(line, ctx);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value as Record<string, any>;
}

/** What `logger --stderr --no-act` would send (it needs a socket; UDP to localhost needs no listener). */
function logger(args: string[]): string | null {
  const r = spawnSync('logger', ['-n', '127.0.0.1', '-P', '5514', '--udp', '--stderr', '--no-act', ...args], {
    encoding: 'utf8', timeout: 5000,
  });
  if (r.error || r.status !== 0) return null;
  const line = r.stderr.trim();
  return line.startsWith('<') ? line : null;
}

describe('rfc5424', () => {
  it('RFC 5424 example 1: BOM stripped, NILVALUE PROCID and SD', () => {
    const line = "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8";
    const e = ev(line);
    assert.equal(e['@timestamp'], '2003-10-11T22:14:15.003Z');
    assert.deepEqual(e.log, {
      syslog: {
        priority: 34, facility: { code: 4, name: 'auth' }, severity: { code: 2, name: 'crit' }, version: '1',
        hostname: 'mymachine.example.com', appname: 'su', msgid: 'ID47',
      },
    });
    assert.deepEqual(e.host, { name: 'mymachine.example.com' });
    assert.deepEqual(e.process, { name: 'su' });
    assert.equal(e.event.severity, 2);
    assert.equal(e.event.kind, 'event');
    assert.equal(e.event.ingested, undefined);
    assert.equal(e.message, "'su root' failed for lonvick on /dev/pts/8");
    assert.equal(e.original, line);
    assert.equal(e.vigil, undefined);
  });

  it('RFC 5424 example 2: offset converted to UTC, numeric PROCID', () => {
    const e = ev("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");
    assert.equal(e['@timestamp'], '2003-08-24T12:14:15.000Z');
    assert.equal(e.log.syslog.facility.name, 'local4');
    assert.equal(e.log.syslog.severity.name, 'notice');
    assert.equal(e.log.syslog.procid, '8710');
    assert.deepEqual(e.process, { name: 'myproc', pid: 8710 });
    assert.equal(e.host.name, '192.0.2.1');
    assert.equal(e.message, "%% It's time to make the do-nuts.");
  });

  it('RFC 5424 examples 3 and 4: structured data, several elements, no MSG', () => {
    const e3 = ev('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...');
    assert.deepEqual(e3.log.syslog.structured_data, {
      'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
    });
    assert.equal(e3.message, 'An application event log entry...');
    const e4 = ev('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]');
    assert.deepEqual(e4.log.syslog.structured_data, {
      'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
      'examplePriority@32473': { class: 'high' },
    });
    assert.equal(e4.message, undefined);
  });

  it('unescapes \\" \\\\ \\] in PARAM-VALUE and keeps other backslashes', () => {
    // Captured from: logger --rfc5424 --sd-id exampleSDID@32473 --sd-param 'eventSource="App\\\"lic\]ation"'
    const line = '<36>1 2026-11-27T22:45:07.529376+00:00 vm myapp - ID47 [timeQuality tzKnown="1" isSynced="0"][exampleSDID@32473 iut="3" eventSource="App\\\\\\"lic\\]ation"] hello world';
    const e = ev(line);
    assert.equal(e['@timestamp'], '2026-11-27T22:45:07.529Z');
    assert.deepEqual(e.log.syslog.structured_data, {
      timeQuality: { tzKnown: '1', isSynced: '0' },
      'exampleSDID@32473': { iut: '3', eventSource: 'App\\"lic]ation' },
    });
    assert.equal(e.log.syslog.msgid, 'ID47');
    assert.equal(e.log.syslog.severity.name, 'warning');
    assert.equal(e.message, 'hello world');
    const sd = parseStructuredData('[a p="c:\\temp\\x" q="] inside"]', 0);
    assert.ok(typeof sd !== 'string');
    assert.deepEqual(sd.data, { a: { p: 'c:\\temp\\x', q: '] inside' } });
  });

  it('a repeated PARAM-NAME becomes an array', () => {
    const e = ev('<13>1 2026-11-27T22:55:39.128846+00:00 vm app - - [timeQuality tzKnown="1" isSynced="0"][origin@32473 ip="10.0.0.1" ip="10.0.0.2"] multi');
    assert.deepEqual(e.log.syslog.structured_data['origin@32473'], { ip: ['10.0.0.1', '10.0.0.2'] });
  });

  it('all NILVALUEs: time falls back to receivedAt, no host, no msgid', () => {
    const e = ev('<13>1 - - myapp - - - hi');
    assert.equal(e['@timestamp'], '2024-05-01T12:00:00.000Z');
    assert.equal(e.host, undefined);
    assert.deepEqual(e.log.syslog, {
      priority: 13, facility: { code: 1, name: 'user' }, severity: { code: 5, name: 'notice' }, version: '1', appname: 'myapp',
    });
    assert.equal(e.message, 'hi');
    const bare = ev('<0>1 - - - - - -');
    assert.equal(bare.message, undefined);
    assert.equal(bare.process, undefined);
    assert.equal(bare.log.syslog.facility.name, 'kern');
    assert.equal(bare.log.syslog.severity.name, 'emerg');
  });

  it('a bad timestamp is a warning, not a rejection', () => {
    const e = ev('<13>1 2024-13-45T99:00:00Z host app - - - text');
    assert.equal(e['@timestamp'], '2024-05-01T12:00:00.000Z');
    assert.deepEqual(e.tags, ['_vigil_parse_warning']);
    assert.deepEqual(e.vigil.warnings, ["syslog.timestamp: not a valid date: '2024-13-45T99:00:00Z'"]);
    assert.equal(e.message, 'text');
  });

  it('malformed structured data: warning, the rest is MSG', () => {
    const e = ev('<13>1 2024-05-01T12:00:00Z host app - - [broken p="unterminated] rest');
    assert.equal(e.log.syslog.structured_data, undefined);
    assert.equal(e.message, '[broken p="unterminated] rest');
    assert.match(e.vigil.warnings[0], /^syslog\.structured_data: unterminated PARAM-VALUE/);
    const e2 = ev('<13>1 2024-05-01T12:00:00Z host app - - plain message without SD');
    assert.equal(e2.message, 'plain message without SD');
    assert.match(e2.vigil.warnings[0], /expected '\[' or '-'/);
  });

  it('rejects what is not RFC 5424', () => {
    assert.equal(looksLikeRfc5424('<13>Nov 27 22:45:07 vm myapp: hello'), false);
    assert.equal(looksLikeRfc5424('<13>1 x'), true);
    assert.equal(looksLikeRfc5424('<192>1 x'), false);
    assert.equal(looksLikeRfc5424('<013>1 x'), false);
    const r = parseRfc5424('no pri');
    assert.equal(r.ok, false);
    assert.equal(r.ok ? '' : r.error, 'syslog: missing or invalid <PRI>');
    assert.equal(normalizeRfc5424('<13>x', ctx).ok, false);
  });

  it('parses live `logger --rfc5424` output', (t) => {
    const line = logger(['--rfc5424', '-t', 'sshd', '-p', 'authpriv.info', '--msgid', 'AUTH', 'Accepted password for bob from 10.0.0.5 port 2222 ssh2']);
    if (!line) return t.skip('logger not available');
    const e = ev(line);
    assert.equal(e.log.syslog.priority, 86);
    assert.equal(e.log.syslog.facility.name, 'authpriv');
    assert.equal(e.log.syslog.severity.name, 'info');
    assert.equal(e.log.syslog.appname, 'sshd');
    assert.equal(e.log.syslog.msgid, 'AUTH');
    assert.deepEqual(Object.keys(e.log.syslog.structured_data), ['timeQuality']);
    assert.equal(e.message, 'Accepted password for bob from 10.0.0.5 port 2222 ssh2');
    assert.ok(Math.abs(Date.parse(e['@timestamp']) - Date.now()) < 60_000);
    assert.match(e['@timestamp'], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});
