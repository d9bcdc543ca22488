import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail, type AddressObject } from 'mailparser';
import type { NotifyIncident, NotifyMessage } from '../../../core/index.ts';
import { context, makeIncident, makeMessage, rejection, SEND_NOW as NOW } from '../testkit.ts';
import { createEmailChannel, messageIdFor, type EmailChannelConfig } from './index.ts';

interface Received {
  mailFrom: string;
  rcptTo: string[];
  user: string | undefined;
  raw: string;
  mail: ParsedMail;
}

interface Server {
  port: number;
  received: Received[];
  close(): Promise<void>;
}

async function startSmtp(options: Partial<SMTPServerOptions> = {}): Promise<Server> {
  const received: Received[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (mail) => {
            const from = session.envelope.mailFrom;
            received.push({ mailFrom: from ? from.address : '', rcptTo: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined, raw, mail });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const incident = makeIncident({
  id: 'INC-12',
  title: 'Brute force <script>alert("x")</script> & co',
  severity: 'critical',
  score: 92,
  summary: 'Critical asset, 3 kill-chain stages',
  hosts: ['web-1', 'web-2'],
  users: [],
  alert_count: 7,
  kill_chain: ['initial_access', 'execution'],
  detected_at: '2024-03-04T09:58:00.000Z',
});

const message = (key: string, event: NotifyMessage['event'], text: string, inc: NotifyIncident | null = incident): NotifyMessage =>
  makeMessage({ key, event, text, incident: inc, at: '2024-03-04T10:00:00.000Z' });

const config = (port: number, extra: Partial<EmailChannelConfig['smtp']> = {}): EmailChannelConfig => ({
  type: 'email',
  smtp: { host: '127.0.0.1', port, ...extra },
  from: 'Vigil <vigil@example.com>',
  to: ['soc@example.com', 'oncall@example.com'],
});

const addresses = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));

describe('email channel', () => {
  let smtp: Server;
  before(async () => {
    smtp = await startSmtp();
  });
  after(() => smtp.close());

  it('sends the first message of an incident with subject, addresses, text, escaped HTML and a Message-ID', async () => {
    const channel = createEmailChannel(config(smtp.port), 'mail');
    assert.equal(channel.name, 'mail');
    assert.equal(channel.type, 'email');
    const result = await channel.send(message('k1', 'opened', 'New P1 incident INC-12'), null, context());
    assert.deepEqual(result, { thread: { message_id: '<k1@vigil>' } });

    assert.equal(smtp.received.length, 1);
    const got = smtp.received[0]!;
    assert.equal(got.mailFrom, 'vigil@example.com');
    assert.deepEqual(got.rcptTo, ['soc@example.com', 'oncall@example.com']);
    assert.equal(got.user, undefined);
    const mail = got.mail;
    assert.equal(mail.subject, '[Vigil P1] INC-12 Brute force <script>alert("x")</script> & co (opened)');
    assert.deepEqual(addresses(mail.from), ['vigil@example.com']);
    assert.equal(mail.from?.value[0]?.name, 'Vigil');
    assert.deepEqual(addresses(mail.to), ['soc@example.com', 'oncall@example.com']);
    assert.equal(mail.messageId, '<k1@vigil>');
    assert.equal(mail.inReplyTo, undefined);
    assert.equal(mail.references, undefined);
    assert.equal(mail.date?.toISOString(), NOW.toISOString());
    assert.equal(mail.headers.get('x-vigil-event'), 'opened');
    assert.equal(mail.headers.get('x-vigil-incident'), 'INC-12');
    assert.equal(
      mail.text,
      [
        'New P1 incident INC-12',
        '',
        'INC-12: Brute force <script>alert("x")</script> & co',
        'Critical asset, 3 kill-chain stages',
        '',
        'Priority: P1 (score 92, severity critical)',
        'Status: new',
        'Assignee: unassigned',
        'Services: payments',
        'Hosts: web-1, web-2',
        'Alerts: 7',
        'Kill chain: initial_access → execution',
        'Detected: 2024-03-04T09:58:00.000Z',
        '',
        'Open in Vigil: https://vigil.example.com/incidents/INC-12',
        '',
      ].join('\n'),
    );
    const html = mail.html;
    assert.equal(typeof html, 'string');
    if (typeof html !== 'string') return;
    assert.ok(html.includes('<h2>INC-12: Brute force &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</h2>'), html);
    assert.ok(!html.includes('<script>'), 'the title reached the HTML unescaped');
    assert.ok(html.includes('<a href="https://vigil.example.com/incidents/INC-12">Open in Vigil</a>'), html);
    assert.ok(html.includes('<tr><th align="left">Hosts</th><td>web-1, web-2</td></tr>'), html);
  });

  it('threads later messages of the incident on the first one', async () => {
    const channel = createEmailChannel(config(smtp.port), 'mail');
    const before = smtp.received.length;
    const thread = { message_id: '<k1@vigil>' };
    const result = await channel.send(message('k2', 'escalated', 'INC-12 escalated'), thread, context());
    assert.deepEqual(result, { thread: { message_id: '<k1@vigil>' } });
    assert.equal(smtp.received.length, before + 1);
    const mail = smtp.received.at(-1)!.mail;
    assert.equal(mail.messageId, '<k2@vigil>');
    assert.equal(mail.inReplyTo, '<k1@vigil>');
    assert.equal(mail.references, '<k1@vigil>');
    assert.equal(mail.subject, '[Vigil P1] INC-12 Brute force <script>alert("x")</script> & co (escalated)');
    assert.ok(mail.text?.startsWith('INC-12 escalated\n'), mail.text);
  });

  it('sends a message without an incident (test) and keeps no thread', async () => {
    const channel = createEmailChannel(config(smtp.port), 'mail');
    const result = await channel.send(message('t:1', 'test', 'Test notification from Vigil', null), null, context());
    assert.deepEqual(result, {});
    const mail = smtp.received.at(-1)!.mail;
    assert.equal(mail.subject, '[Vigil] Test notification from Vigil (test)');
    assert.equal(mail.messageId, '<t%3A1@vigil>');
    assert.equal(mail.text, 'Test notification from Vigil\n');
    assert.equal(mail.headers.get('x-vigil-incident'), undefined);
  });

  it('makes Message-IDs from keys without letting two keys collide', () => {
    assert.equal(messageIdFor('01HZX-opened'), '<01HZX-opened@vigil>');
    assert.equal(messageIdFor('a:b c'), '<a%3Ab%20c@vigil>');
    assert.equal(messageIdFor('a%3Ab'), '<a%253Ab@vigil>');
    assert.equal(messageIdFor('a.b'), '<a%2Eb@vigil>');
    assert.equal(messageIdFor('<x@y>'), '<%3Cx%40y%3E@vigil>');
  });

  it('logs in when a user is configured, and a refused login is not retryable', async () => {
    const server = await startSmtp({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        if (auth.username === 'vigil' && auth.password === 's3cret') callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
    });
    try {
      const ok = createEmailChannel(config(server.port, { user: 'vigil', password: 's3cret' }), 'mail');
      await ok.send(message('a1', 'opened', 'hello'), null, context());
      assert.equal(server.received.length, 1);
      assert.equal(server.received[0]!.user, 'vigil');

      const bad = createEmailChannel(config(server.port, { user: 'vigil', password: 'wrong' }), 'mail');
      const error = await rejection(bad.send(message('a2', 'opened', 'hello'), null, context()));
      assert.equal(error.retryable, false);
      assert.equal(error.status, 535);
      assert.equal(server.received.length, 1);

      const anonymous = createEmailChannel(config(server.port), 'mail');
      const refused = await rejection(anonymous.send(message('a3', 'opened', 'hello'), null, context()));
      assert.equal(refused.retryable, false);
      assert.equal(refused.status, 530);
    } finally {
      await server.close();
    }
  });

  it('retries a 451 (transient) and gives up on a 550 (permanent)', async () => {
    const server = await startSmtp({
      onRcptTo(address, _session, callback) {
        if (address.address === 'gone@example.com') callback(Object.assign(new Error('5.1.1 No such user'), { responseCode: 550 }));
        else callback();
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 })));
      },
    });
    try {
      const transient = createEmailChannel(config(server.port), 'mail');
      const e451 = await rejection(transient.send(message('r1', 'opened', 'hello'), null, context()));
      assert.equal(e451.retryable, true);
      assert.equal(e451.status, 451);
      assert.match(e451.message, /Try again later/);

      const permanent = createEmailChannel({ ...config(server.port), to: ['gone@example.com'] }, 'mail');
      const e550 = await rejection(permanent.send(message('r2', 'opened', 'hello'), null, context()));
      assert.equal(e550.retryable, false);
      assert.equal(e550.status, 550);
      assert.match(e550.message, /No such user/);
    } finally {
      await server.close();
    }
  });

  it('treats a refused connection as retryable', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const channel = createEmailChannel(config(port), 'mail');
    const error = await rejection(channel.send(message('c1', 'opened', 'hello'), null, context()));
    assert.equal(error.retryable, true);
    assert.equal(error.status, undefined);
    assert.match(error.message, /ECONNREFUSED|ECONNECTION|ESOCKET/);
  });

  it('aborts a send to a server that never answers, retryably', async () => {
    const sockets = new Set<net.Socket>();
    const hung = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const channel = createEmailChannel(config((hung.address() as AddressInfo).port), 'mail');
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(new Error('send timed out')), 200);
      const error = await rejection(channel.send(message('h1', 'opened', 'hello'), null, context(controller.signal)));
      assert.equal(error.retryable, true);
      assert.match(error.message, /abort/i);
      assert.ok(Date.now() - started < 5000, 'the abort did not end the send');
      assert.equal(sockets.size, 1, 'the channel never connected');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });

  it('names the missing or bad field of a configuration', () => {
    const base = config(25);
    const cases: Array<[unknown, RegExp]> = [
      [{ ...base, smtp: undefined }, /\bsmtp is required/],
      [{ ...base, smtp: { port: 25 } }, /smtp\.host/],
      [{ ...base, smtp: { host: 'mail' } }, /smtp\.port/],
      [{ ...base, smtp: { host: 'mail', port: 0 } }, /smtp\.port/],
      [{ ...base, smtp: { host: 'mail', port: 25, user: 'u' } }, /smtp\.password/],
      [{ ...base, smtp: { host: 'mail', port: 25, password: 'p' } }, /smtp\.user/],
      [{ ...base, from: '' }, /\bfrom\b/],
      [{ ...base, to: [] }, /\bto\b/],
      [{ ...base, to: undefined }, /\bto\b/],
    ];
    for (const [bad, pattern] of cases) {
      assert.throws(() => createEmailChannel(bad as EmailChannelConfig, 'mail'), (e: unknown) => e instanceof Error && pattern.test(e.message) && /mail/.test(e.message), String(pattern));
    }
    assert.doesNotThrow(() => createEmailChannel(base, 'mail'));
  });
});
