// Integration with the real util-linux `logger` command as the sender.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startSyslog, type SyslogListener, type SyslogMessage } from './index.ts';
import { collector, waitFor, type Collector } from './testutil.ts';

const run = promisify(execFile);
const LOGGER = '/usr/bin/logger';
const skip = existsSync(LOGGER) ? false : `${LOGGER} not installed`;

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const HOST5424 = esc(hostname());
const HOST3164 = esc(hostname().split('.')[0]!);
const TS5424 = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d`;
const TS3164 = String.raw`[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d`;

describe('syslog listener with the real logger command', { skip }, () => {
  let l: SyslogListener;
  let c: Collector;
  let tmp: string;

  before(async () => {
    c = collector();
    l = await startSyslog({ host: '127.0.0.1', port: 0, maxMessageBytes: 65536 }, c.sink);
    tmp = mkdtempSync(join(tmpdir(), 'vigil-syslog-'));
  });
  after(async () => {
    await l.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Run logger, then wait until `count` new messages matched by `re` arrived; return them. */
  async function send(args: string[], transport: 'tcp' | 'udp', re: RegExp, count = 1): Promise<SyslogMessage[]> {
    const port = transport === 'tcp' ? l.tcpPort : l.udpPort;
    await run(LOGGER, ['--server', '127.0.0.1', '--port', String(port), `--${transport}`, ...args]);
    const found = () => c.messages.filter((m) => re.test(m.text));
    await waitFor(() => found().length >= count, `logger message matching ${re}`);
    const got = found();
    assert.equal(got.length, count, `exactly ${count} message(s) matching ${re}`);
    for (const m of got) {
      assert.equal(m.transport, transport);
      assert.match(m.peer, /^127\.0\.0\.1:\d+$/);
      assert.notEqual(m.peer, `127.0.0.1:${port}`);
      assert.equal(m.error, undefined);
    }
    return got;
  }

  it('TCP, RFC 5424, non-transparent framing (LF)', async () => {
    await send(['--rfc5424=notq', '-t', 'vigil-test', 'hello tcp'], 'tcp', new RegExp(`^<13>1 ${TS5424} ${HOST5424} vigil-test - - - hello tcp$`));
  });

  it('TCP, RFC 5424, octet counting, structured data, msgid, priority and pid', async () => {
    const [m] = await send(
      ['--octet-count', '--rfc5424=notq', '-t', 'vigil-test', '-i', '-p', 'auth.warning', '--msgid', 'ID47', '--sd-id', 'zoo@123', '--sd-param', 'tiger="hungry"', 'hello octet count'],
      'tcp',
      new RegExp(`^<36>1 ${TS5424} ${HOST5424} vigil-test \\d+ ID47 \\[zoo@123 tiger="hungry"\\] hello octet count$`),
    );
    assert.ok(m);
  });

  it('TCP, RFC 5424 with time quality structured data', async () => {
    await send(
      ['--rfc5424', '-t', 'vigil-test', 'hello tq'],
      'tcp',
      new RegExp(`^<13>1 ${TS5424} ${HOST5424} vigil-test - - \\[timeQuality tzKnown="1" isSynced="[01]"( syncAccuracy="\\d+")?\\] hello tq$`),
    );
  });

  it('UDP, RFC 3164', async () => {
    await send(['--rfc3164', '-t', 'vigil-test', 'hello udp'], 'udp', new RegExp(`^<13>${TS3164} ${HOST3164} vigil-test: hello udp$`));
  });

  it('UDP, RFC 5424 with UTF-8 text', async () => {
    await send(['--rfc5424=notq', '-t', 'vigil-test', 'héllo wörld 😀 日本'], 'udp', new RegExp(`^<13>1 ${TS5424} ${HOST5424} vigil-test - - - héllo wörld 😀 日本$`));
  });

  it('TCP, many lines from a file on one connection, both framings', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i)}`);
    const file = join(tmp, 'lines.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    for (const framing of [[], ['--octet-count']]) {
      const tag = `vigil-file${framing.length}`;
      const got = await send([...framing, '--rfc3164', '-t', tag, '-f', file], 'tcp', new RegExp(`^<13>${TS3164} ${HOST3164} ${tag}: line \\d+`), lines.length);
      assert.deepEqual(
        got.map((m) => m.text.slice(m.text.indexOf(': ') + 2)),
        lines,
      );
      assert.equal(new Set(got.map((m) => m.peer)).size, 1, 'one connection');
    }
  });
});
