import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { NormalizeContext } from '../core/index.ts';
import { looksLikeRfc3164, normalizeRfc3164, parseRfc3164 } from './rfc3164.ts';
import { UTC } from './time.ts';

const LOGHUB = '/work/shared/data/loghub-2k';
const at = (iso: string): NormalizeContext => ({ input: { type: 'syslog', name: 'syslog-udp' }, receivedAt: new Date(iso) });
const ctx = at('2026-11-27T22:45:10.000Z');

function ev(line: string, c: NormalizeContext = ctx, tz?: string): Record<string, any> {
  const r = normalizeRfc3164(line, c, tz ? { timeZone: tz } : undefined);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value as Record<string, any>;
}

function logger(args: string[]): string | null {
  const r = spawnSync('logger', ['-n', '127.0.0.1', '-P', '5514', '--udp', '--stderr', '--no-act', ...args], {
    encoding: 'utf8', timeout: 5000,
  });
  if (r.error || r.status !== 0) return null;
  const line = r.stderr.trim();
  return line.startsWith('<') ? line : null;
}

function readLines(path: string): string[] | null {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return null;
  }
}

describe('rfc3164', () => {
  it('`logger --rfc3164 -t myapp hello` output exactly', () => {
    const line = '<13>Nov 27 22:45:07 vm myapp: hello';
    const e = ev(line);
    assert.deepEqual(e, {
      '@timestamp': '2026-11-27T22:45:07.000Z',
      event: { kind: 'event', severity: 5 },
      host: { name: 'vm' },
      process: { name: 'myapp' },
      log: {
        syslog: {
          priority: 13, facility: { code: 1, name: 'user' }, severity: { code: 5, name: 'notice' },
          hostname: 'vm', appname: 'myapp',
        },
      },
      message: 'hello',
      original: line,
    });
  });

  it('TAG[PID] with local0.err', () => {
    const e = ev('<131>Nov 27 22:45:07 vm myapp[7209]: hi');
    assert.equal(e.log.syslog.facility.name, 'local0');
    assert.equal(e.log.syslog.severity.name, 'err');
    assert.equal(e.event.severity, 3);
    assert.equal(e.log.syslog.procid, '7209');
    assert.deepEqual(e.process, { name: 'myapp', pid: 7209 });
    assert.equal(e.message, 'hi');
  });

  it('live `logger --rfc3164` output', (t) => {
    const line = logger(['--rfc3164', '-i', '-t', 'myapp', '-p', 'daemon.warning', 'hello world']);
    if (!line) return t.skip('logger not available');
    const e = ev(line, { input: ctx.input, receivedAt: new Date() });
    assert.equal(e.log.syslog.priority, 28);
    assert.equal(e.log.syslog.appname, 'myapp');
    assert.equal(typeof e.process.pid, 'number');
    assert.equal(e.message, 'hello world');
    // logger writes local time without a zone; we read it as UTC, so only the minute-of-hour
    // and seconds are comparable with now (zones are whole or half hours).
    assert.ok(e.host.name.length > 0);
  });

  it('no PRI (a file line): loghub OpenSSH', () => {
    const e = ev('Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2', at('2017-01-05T00:00:00Z'));
    assert.equal(e['@timestamp'], '2016-12-10T09:32:20.000Z');
    assert.equal(e.host.name, 'LabSZ');
    assert.deepEqual(e.process, { name: 'sshd', pid: 24680 });
    assert.equal(e.log.syslog.priority, undefined);
    assert.equal(e.event.severity, undefined);
    assert.equal(e.message, 'Accepted password for fztu from 119.137.62.142 port 49116 ssh2');
  });

  it('Dec/Jan rollover: the year closest to receivedAt', () => {
    assert.equal(ev('<13>Dec 31 23:59:58 h app: x', at('2025-01-01T00:00:03Z'))['@timestamp'], '2024-12-31T23:59:58.000Z');
    assert.equal(ev('<13>Jan  1 00:00:02 h app: x', at('2024-12-31T23:59:59Z'))['@timestamp'], '2025-01-01T00:00:02.000Z');
    assert.equal(ev('<13>Jun  5 10:00:00 h app: x', at('2024-06-05T10:00:01Z'))['@timestamp'], '2024-06-05T10:00:00.000Z');
  });

  it('space-padded day, fraction, year before time', () => {
    assert.equal(ev('<13>Jul  1 00:21:28 h app: x', at('2024-07-02T00:00:00Z'))['@timestamp'], '2024-07-01T00:21:28.000Z');
    assert.equal(ev('<13>Jul 1 00:21:28.123456 h app: x', at('2024-07-02T00:00:00Z'))['@timestamp'], '2024-07-01T00:21:28.123Z');
    assert.equal(ev('<13>Jul 1 2019 00:21:28 h app: x', at('2024-07-02T00:00:00Z'))['@timestamp'], '2019-07-01T00:21:28.000Z');
  });

  it("rsyslog's high-precision ISO timestamp, with and without PRI", () => {
    const e = ev('<86>2024-05-01T14:00:00.123456+02:00 web1 sshd[77]: Connection closed by 10.0.0.9 port 4711 [preauth]');
    assert.equal(e['@timestamp'], '2024-05-01T12:00:00.123Z');
    assert.equal(e.host.name, 'web1');
    assert.equal(e.log.syslog.facility.name, 'authpriv');
    assert.equal(e.message, 'Connection closed by 10.0.0.9 port 4711 [preauth]');
    const f = ev('2024-05-01T12:00:00Z web1 cron[5]: job');
    assert.equal(f['@timestamp'], '2024-05-01T12:00:00.000Z');
    assert.equal(f.process.name, 'cron');
  });

  it('configured time zone for the zone-less classic timestamp', () => {
    const e = ev('<13>May  1 14:00:00 h app: x', at('2024-05-02T00:00:00Z'), 'Europe/Berlin');
    assert.equal(e['@timestamp'], '2024-05-01T12:00:00.000Z');
    const f = ev('<13>May  1 14:00:00 h app: x', at('2024-05-02T00:00:00Z'), '-05:00');
    assert.equal(f['@timestamp'], '2024-05-01T19:00:00.000Z');
  });

  it('no HOSTNAME (local socket format): the first token is the TAG', () => {
    const e = ev('<13>Nov 27 22:45:07 myapp[12]: local message');
    assert.equal(e.host, undefined);
    assert.deepEqual(e.process, { name: 'myapp', pid: 12 });
    assert.equal(e.message, 'local message');
    const f = ev('<13>Nov 27 22:45:07 kernel: boot');
    assert.equal(f.host, undefined);
    assert.equal(f.process.name, 'kernel');
  });

  it('no TAG: the rest is MSG (RFC 3164 §4.1.3)', () => {
    const e = ev('Jun 19 04:09:11 combo syslogd 1.4.1: restart.', at('2005-07-01T00:00:00Z'));
    assert.equal(e.host.name, 'combo');
    assert.equal(e.process, undefined);
    assert.equal(e.log.syslog.appname, undefined);
    assert.equal(e.message, 'syslogd 1.4.1: restart.');
  });

  it('Red Hat pam tags: process.name sshd, appname kept whole', () => {
    const e = ev('Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ', at('2005-07-01T00:00:00Z'));
    assert.equal(e['@timestamp'], '2005-06-14T15:16:01.000Z');
    assert.deepEqual(e.process, { name: 'sshd', pid: 19939 });
    assert.equal(e.log.syslog.appname, 'sshd(pam_unix)');
  });

  it('PRI without a timestamp: everything after PRI is MSG, time is receivedAt', () => {
    const e = ev('<34>just some text');
    assert.equal(e['@timestamp'], '2026-11-27T22:45:10.000Z');
    assert.equal(e.message, 'just some text');
    assert.equal(e.log.syslog.severity.name, 'crit');
    assert.equal(e.host, undefined);
  });

  it('UTF-8 BOM at the start of MSG is stripped', () => {
    assert.equal(ev('<13>Nov 27 22:45:07 vm app: \uFEFFbom text').message, 'bom text');
  });

  it('invalid date parts: warning and receivedAt', () => {
    const e = ev('<13>Feb 30 10:00:00 h app: x');
    assert.equal(e['@timestamp'], '2026-11-27T22:45:10.000Z');
    assert.deepEqual(e.vigil.warnings, ["syslog.timestamp: not a valid date: 'Feb 30 10:00:00'"]);
    assert.deepEqual(e.tags, ['_vigil_parse_warning']);
    assert.equal(e.host.name, 'h');
  });

  it('rejects lines with neither PRI nor timestamp', () => {
    assert.equal(looksLikeRfc3164('hello world'), false);
    assert.equal(looksLikeRfc3164('May the force'), false);
    const r = parseRfc3164('hello world', 0, UTC);
    assert.equal(r.ok ? '' : r.error, 'syslog: neither <PRI> nor a timestamp');
  });

  it('every line of loghub OpenSSH and Linux parses with the right host', (t) => {
    for (const [file, host] of [['OpenSSH/OpenSSH_2k.log', 'LabSZ'], ['Linux/Linux_2k.log', 'combo']] as const) {
      const lines = readLines(`${LOGHUB}/${file}`);
      if (!lines) return t.skip('loghub-2k corpus not present');
      let n = 0;
      for (const line of lines) {
        if (line.length === 0) continue;
        const e = ev(line, at('2006-01-01T00:00:00Z'));
        assert.equal(e.host?.name, host, line);
        assert.equal(e.vigil, undefined, line);
        assert.ok(typeof e.message === 'string' && e.message.length > 0, line);
        n++;
      }
      assert.equal(n, 2000);
    }
  });
});
