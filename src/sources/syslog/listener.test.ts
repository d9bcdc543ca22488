import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startSyslog, type SyslogListener, type SyslogMessage, type SyslogOptions, type SyslogSink } from './index.ts';
import { closed, collector, connect, octetCounted, waitFor, write } from './testutil.ts';

const listeners: SyslogListener[] = [];
after(async () => {
  await Promise.all(listeners.map((l) => l.close()));
});

async function start(opts: Partial<SyslogOptions>, sink: SyslogSink, log?: Parameters<typeof startSyslog>[2]): Promise<SyslogListener> {
  const l = await startSyslog({ host: '127.0.0.1', port: 0, maxMessageBytes: 65536, ...opts }, sink, log);
  listeners.push(l);
  return l;
}

function sendUdp(port: number, data: string | Buffer, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    s.bind(0, host, () => {
      const localPort = s.address().port;
      s.send(data, port, host, (err) => {
        s.close();
        if (err) reject(err);
        else resolve(localPort);
      });
    });
  });
}

function warnLog() {
  const warnings: { obj: object; msg: string }[] = [];
  return { warnings, log: { warn: (obj: object, msg: string) => void warnings.push({ obj, msg }) } };
}

describe('syslog listener', () => {
  it('delivers TCP (both framings) and UDP messages with transport and peer', async () => {
    const c = collector();
    const l = await start({}, c.sink);
    const sock = await connect(l.tcpPort);
    await write(sock, '<13>tcp lf\n' + octetCounted('<13>tcp counted') + '<13>tcp crlf\r\n');
    const udpPeerPort = await sendUdp(l.udpPort, '<13>udp one\n');
    await waitFor(() => c.messages.length === 4, '4 messages');
    const tcpPeer = `127.0.0.1:${sock.localPort}`;
    const byText = new Map(c.messages.map((m) => [m.text, m]));
    for (const t of ['<13>tcp lf', '<13>tcp counted', '<13>tcp crlf']) {
      const m = byText.get(t);
      assert.ok(m, t);
      assert.equal(m.transport, 'tcp');
      assert.equal(m.peer, tcpPeer);
      assert.equal(m.error, undefined);
      assert.ok(m.receivedAt instanceof Date);
    }
    const u = byText.get('<13>udp one');
    assert.ok(u);
    assert.equal(u.transport, 'udp');
    assert.equal(u.peer, `127.0.0.1:${udpPeerPort}`);
    assert.equal(l.stats().connections, 1);
    sock.end();
    await waitFor(() => l.stats().connections === 0, 'connection closed');
    assert.deepEqual(l.stats(), { received: 4, framesRejected: 0, udpDropped: 0, connections: 0 });
  });

  it('binds UDP and TCP to the same fixed port', async () => {
    const probe = await startSyslog({ host: '127.0.0.1', port: 0, maxMessageBytes: 65536 }, async () => {});
    const port = probe.tcpPort;
    await probe.close();
    const l = await start({ port }, collector().sink);
    assert.equal(l.tcpPort, port);
    assert.equal(l.udpPort, port);
    // The port is taken now: a second listener fails to start instead of half-starting.
    await assert.rejects(startSyslog({ host: '127.0.0.1', port, maxMessageBytes: 65536 }, async () => {}), /EADDRINUSE/);
  });

  it('works over IPv6 and shows the peer as [ip]:port', async () => {
    const c = collector();
    const l = await start({ host: '::1' }, c.sink);
    const sock = await connect(l.tcpPort, '::1');
    await write(sock, '<13>v6\n');
    const udpPeerPort = await sendUdp(l.udpPort, '<13>v6 udp', '::1');
    await waitFor(() => c.messages.length === 2, 'two messages');
    const tcp = c.messages.find((m) => m.transport === 'tcp');
    const udp = c.messages.find((m) => m.transport === 'udp');
    assert.equal(tcp?.peer, `[::1]:${sock.localPort}`);
    assert.equal(udp?.peer, `[::1]:${udpPeerPort}`);
    sock.destroy();
  });

  it('oversize UDP datagram: error and head', async () => {
    const c = collector();
    const l = await start({ maxMessageBytes: 2000 }, c.sink);
    await sendUdp(l.udpPort, '<13>' + 'u'.repeat(5000));
    await waitFor(() => c.messages.length === 1, 'the datagram');
    assert.equal(c.messages[0]!.error, 'message exceeds 2000 bytes');
    assert.equal(c.messages[0]!.text, '<13>' + 'u'.repeat(1020));
    assert.equal(l.stats().framesRejected, 1);
  });

  it('a 10 MB line between two good ones: both arrive, the big one as a bounded error, memory stays flat', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const c = collector();
    const l = await start({}, c.sink);
    // The sender is a separate process so its 10 MB is not in our heap. It moves on when told to,
    // so we can measure while the receiver has read the whole 10 MB body but not its LF.
    const sender = spawn(
      process.execPath,
      [
        '-e',
        `
        const net = require('net');
        const lines = require('readline').createInterface({ input: process.stdin });
        const steps = [];
        lines.on('line', () => steps.shift()());
        const sock = net.connect(+process.argv[1], '127.0.0.1', () => {
          sock.write('<13>good before\\n', () => console.log('ready'));
          steps.push(async () => {
            const chunk = Buffer.alloc(65536, 0x42);
            sock.write('<13>');
            for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) {
              if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
            }
            sock.write('', () => console.log('sent'));
          });
          steps.push(() => sock.end('\\n<13>good after\\n', () => console.log('done')));
        });
        `,
        String(l.tcpPort),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const out: string[] = [];
    sender.stdout.setEncoding('utf8').on('data', (d: string) => out.push(...d.split('\n').filter(Boolean)));
    try {
      await waitFor(() => out.includes('ready') && c.messages.length === 1, 'the first good line');
      // Live memory: collect garbage twice (freeing ArrayBuffer backing stores can lag one GC).
      const mem = async () => {
        gc();
        await new Promise((r) => setTimeout(r, 10));
        gc();
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      const baseline = await mem();
      sender.stdin.write('go\n');
      await waitFor(() => out.includes('sent'), 'the sender to write 10 MB', 30_000);
      // The body is in the kernel or already read; loopback drains it in milliseconds. Then what
      // is still live is what the listener retains: the least of a few samples, so transient
      // garbage cannot make the test flaky, while a listener holding the line fails every sample.
      await new Promise((r) => setTimeout(r, 300));
      const samples: number[] = [];
      for (let i = 0; i < 3; i++) samples.push((await mem()) - baseline);
      const retained = Math.min(...samples);
      sender.stdin.write('go\n');
      await waitFor(() => c.messages.length === 3, 'the big line and the second good line', 30_000);
      assert.ok(retained < 4 * 1024 * 1024, `memory grew by ${(retained / 1024 / 1024).toFixed(1)} MB while a 10 MB line was read`);
    } finally {
      sender.stdin.end();
      sender.kill();
    }
    const [m1, big, m2] = c.messages;
    assert.equal(m1!.text, '<13>good before');
    assert.equal(big!.error, 'message exceeds 65536 bytes');
    assert.equal(big!.text, '<13>' + 'B'.repeat(1020));
    assert.equal(m2!.text, '<13>good after');
    assert.equal(l.stats().framesRejected, 1);
  });

  it('a sink that rejects twice then accepts loses nothing over TCP', async () => {
    let calls = 0;
    const accepted: SyslogMessage[] = [];
    const { warnings, log } = warnLog();
    const l = await start(
      { batchMaxMessages: 100 },
      async (batch) => {
        calls++;
        if (calls <= 2) throw new Error('pipeline overloaded');
        accepted.push(...batch);
      },
      log,
    );
    const n = 20_000;
    const sock = await connect(l.tcpPort);
    let payload = '';
    for (let i = 0; i < n; i++) payload += i % 2 ? `<13>msg ${i}\n` : octetCounted(`<13>msg ${i}`);
    await write(sock, payload);
    await waitFor(() => accepted.length >= n, `${n} messages`, 20_000);
    assert.equal(accepted.length, n, 'no duplicates');
    const seen = new Set(accepted.map((m) => m.text));
    for (let i = 0; i < n; i++) assert.ok(seen.has(`<13>msg ${i}`), `message ${i}`);
    assert.ok(calls > 2);
    assert.ok(warnings.some((w) => w.msg.includes('sink rejected')), 'rejection logged');
    sock.destroy();
  });

  it('pauses TCP sockets while the sink is saturated, then resumes and loses nothing', async () => {
    let blocked = true;
    const gates: (() => void)[] = [];
    const accepted: SyslogMessage[] = [];
    let calls = 0;
    const l = await start({ batchMaxMessages: 100 }, (batch) => {
      calls++;
      if (!blocked) {
        accepted.push(...batch);
        return Promise.resolve();
      }
      return new Promise<void>((resolve) =>
        gates.push(() => {
          accepted.push(...batch);
          resolve();
        }),
      );
    });
    const n = 100_000; // ~2.2 MB
    const sock = await connect(l.tcpPort);
    let payload = '';
    for (let i = 0; i < n; i++) payload += `<13>message number ${String(i).padStart(8, '0')}\n`;
    sock.write(payload);
    await waitFor(() => calls === 4, 'four batches at the sink');
    await new Promise((r) => setTimeout(r, 300));
    // Without pausing it would read everything; paused, at most a chunk or two beyond 4 batches.
    const readWhileBlocked = l.stats().received;
    assert.equal(calls, 4, 'no more than 4 batches in flight');
    assert.ok(readWhileBlocked < 5000, `read ${readWhileBlocked} messages while the sink was blocked`);
    blocked = false;
    for (const g of gates.splice(0)) g();
    await waitFor(() => accepted.length === n, `${n} messages after resume`, 20_000);
    assert.equal(new Set(accepted.map((m) => m.text)).size, n);
    sock.destroy();
  });

  it('UDP overflow while the sink is saturated is counted and warned about, never silent', async () => {
    const gates: (() => void)[] = [];
    let accepted = 0;
    const { warnings, log } = warnLog();
    const l = await start({ batchMaxMessages: 10 }, (batch) => new Promise<void>((resolve) => gates.push(() => ((accepted += batch.length), resolve()))), log);
    const s = dgram.createSocket('udp4');
    for (let i = 0; i < 300; i++) {
      await new Promise<void>((resolve, reject) => s.send(`<13>udp ${i}`, l.udpPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    }
    s.close();
    await waitFor(() => l.stats().udpDropped > 0, 'drops');
    await waitFor(() => warnings.some((w) => w.msg.includes('udp messages dropped')), 'a drop warning');
    const release = setInterval(() => gates.splice(0).forEach((g) => g()), 5);
    try {
      await l.close();
    } finally {
      clearInterval(release);
    }
    const st = l.stats();
    assert.ok(st.udpDropped > 0);
    assert.equal(accepted, st.received - st.udpDropped, 'everything not counted as dropped reached the sink');
    // 4 batches in flight + 4 batches queued.
    assert.ok(accepted <= 80, `accepted ${accepted}`);
  });

  it('close() flushes pending batches and waits for the sink', async () => {
    const batches: SyslogMessage[][] = [];
    let settled = 0;
    const l = await startSyslog(
      { host: '127.0.0.1', port: 0, maxMessageBytes: 65536, batchMaxDelayMs: 60_000, batchMaxMessages: 1_000_000 },
      async (batch) => {
        batches.push(batch);
        await new Promise((r) => setTimeout(r, 100));
        settled++;
      },
    );
    const sock = await connect(l.tcpPort);
    const idle = await connect(l.tcpPort); // stays connected and silent
    for (let i = 0; i < 50; i++) await write(sock, `<13>tcp ${i}\n`);
    await write(sock, '<13>no trailing newline');
    for (let i = 0; i < 5; i++) await sendUdp(l.udpPort, `<13>udp ${i}`);
    await waitFor(() => l.stats().received === 55, 'messages read');
    assert.equal(batches.length, 0, 'nothing flushed yet (long batch delay)');
    await l.close();
    assert.equal(settled, batches.length, 'close() waited for the sink');
    const texts = batches.flat().map((m) => m.text);
    assert.equal(texts.length, 56);
    assert.ok(texts.includes('<13>no trailing newline'), 'the unterminated last line is delivered at close');
    await closed(idle);
    await assert.rejects(connect(l.tcpPort), /ECONNREFUSED/);
  });

  it('close() while the sink is saturated: everything read is delivered, in order, without gaps', async () => {
    const gates: (() => void)[] = [];
    let blocked = true;
    const accepted: SyslogMessage[] = [];
    const l = await startSyslog({ host: '127.0.0.1', port: 0, maxMessageBytes: 65536, batchMaxMessages: 50 }, (batch) => {
      const take = () => accepted.push(...batch);
      if (!blocked) return Promise.resolve(void take());
      return new Promise<void>((resolve) => gates.push(() => (take(), resolve())));
    });
    const sock = await connect(l.tcpPort);
    sock.on('error', () => {});
    let payload = '';
    for (let i = 0; i < 50_000; i++) payload += `<13>m ${i}\n`;
    sock.write(payload);
    await waitFor(() => gates.length === 4, 'the sink to saturate');
    const closing = l.close();
    // Let the close grace period expire while the sockets are still paused.
    await new Promise((r) => setTimeout(r, 1300));
    blocked = false;
    for (const g of gates.splice(0)) g();
    await closing;
    const st = l.stats();
    assert.equal(accepted.length, st.received, 'every message read reached the sink');
    assert.ok(accepted.length >= 200);
    // The connection was cut by close(): its last line may be incomplete, and is flagged if so.
    const cut = accepted.filter((m) => m.error !== undefined);
    assert.ok(cut.length <= 1);
    if (cut[0]) assert.match(cut[0].error!, /^truncated frame/);
    const sorted = accepted
      .filter((m) => m.error === undefined)
      .map((m) => Number(m.text.slice(6)))
      .sort((a, b) => a - b);
    assert.deepEqual(sorted, Array.from({ length: sorted.length }, (_, i) => i), 'a prefix of what was sent, no gaps');
    if (cut[0]) assert.ok(`<13>m ${sorted.length}`.startsWith(cut[0].text), 'the cut line is the next one');
    assert.equal(st.connections, 0);
  });

  it('close() does not wait forever for a peer that keeps its side open', async () => {
    const c = collector();
    const l = await startSyslog({ host: '127.0.0.1', port: 0, maxMessageBytes: 65536 }, c.sink);
    const stubborn = await connect(l.tcpPort, '127.0.0.1', { allowHalfOpen: true });
    stubborn.on('error', () => {});
    await write(stubborn, '<13>hi\n');
    const t0 = Date.now();
    await l.close();
    assert.ok(Date.now() - t0 < 5000);
    assert.deepEqual(
      c.messages.map((m) => m.text),
      ['<13>hi'],
    );
    stubborn.destroy();
  });

  it('survives garbage, resets and bogus counts; a bogus count closes only that connection', async () => {
    const c = collector();
    const { warnings, log } = warnLog();
    const l = await start({ maxMessageBytes: 4096 }, c.sink, log);
    const good = await connect(l.tcpPort);

    // Binary garbage, then a clean end.
    const garbage = await connect(l.tcpPort);
    const junk = Buffer.alloc(256 * 1024);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + (i >> 5)) & 0xff;
    await write(garbage, junk);
    garbage.end();

    // A reset in the middle of a frame.
    const resetter = await connect(l.tcpPort);
    await write(resetter, '<13>half a fra');
    resetter.resetAndDestroy();

    // A bogus octet count: the server closes this connection.
    const bogus = await connect(l.tcpPort);
    bogus.on('error', () => {});
    await write(bogus, '<13>before bogus\n99999999999999999999 <13>x\n');
    await closed(bogus);
    bogus.destroy();

    // Garbage over UDP.
    await sendUdp(l.udpPort, junk.subarray(0, 1000));

    await write(good, '<13>still alive\n');
    await waitFor(() => c.messages.some((m) => m.text === '<13>still alive'), 'the good connection still works');
    assert.ok(c.messages.some((m) => m.text === '<13>before bogus'));
    const fatal = c.messages.find((m) => m.error?.startsWith('invalid octet count'));
    assert.ok(fatal, 'the bogus count is reported');
    assert.equal(fatal.text, '99999999999999999999');
    assert.ok(warnings.some((w) => w.msg.includes('framing lost')));
    await waitFor(() => l.stats().connections === 1, 'only the good connection left');
    good.destroy();
  });

  it('closes idle connections after idleTimeoutMs', async () => {
    const c = collector();
    const l = await start({ idleTimeoutMs: 100 }, c.sink);
    const sock = await connect(l.tcpPort);
    await write(sock, '<13>then silence\n');
    const t0 = Date.now();
    await closed(sock);
    assert.ok(Date.now() - t0 < 3000);
    await waitFor(() => c.messages.length === 1 && l.stats().connections === 0, 'message and close');
  });

  it('refuses connections beyond maxConnections', async () => {
    const c = collector();
    const l = await start({ maxConnections: 1 }, c.sink);
    const first = await connect(l.tcpPort);
    await write(first, '<13>first\n');
    await waitFor(() => c.messages.length === 1, 'first message');
    const second = net.connect(l.tcpPort, '127.0.0.1');
    second.on('error', () => {});
    second.write('<13>second\n');
    await closed(second);
    await write(first, '<13>first again\n');
    await waitFor(() => c.messages.length === 2, 'second message from the first connection');
    assert.deepEqual(
      c.messages.map((m) => m.text),
      ['<13>first', '<13>first again'],
    );
    first.destroy();
  });

  it('rejects invalid options', async () => {
    const sink = async () => {};
    await assert.rejects(startSyslog({ host: '127.0.0.1', port: 0, maxMessageBytes: 0 }, sink), RangeError);
    await assert.rejects(startSyslog({ host: '127.0.0.1', port: 70000, maxMessageBytes: 100 }, sink), RangeError);
    await assert.rejects(startSyslog({ host: '127.0.0.1', port: 0, maxMessageBytes: 100, batchMaxMessages: 0 }, sink), RangeError);
  });
});

