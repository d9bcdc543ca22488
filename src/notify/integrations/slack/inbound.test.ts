import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  normaliseChangeId,
  normaliseIncidentId,
  parseInteraction,
  parseSlashCommand,
  parseVigilCommand,
  slackReply,
  toCommand,
  verifySlackRequest,
  type VigilCommand,
} from './inbound.ts';

// The worked example from Slack's "Verifying requests from Slack" page.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const DOC_NOW = new Date(Number(DOC_TIMESTAMP) * 1000 + 30_000);

const sign = (secret: string, timestamp: string, body: string) =>
  `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;

describe('verifySlackRequest', () => {
  it("accepts Slack's documented example", () => {
    assert.deepEqual(verifySlackRequest(DOC_SECRET, { timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE }, DOC_BODY, DOC_NOW), { ok: true });
  });

  it('accepts a Buffer body and upper-case hex', () => {
    const headers = { timestamp: DOC_TIMESTAMP, signature: `v0=${DOC_SIGNATURE.slice(3).toUpperCase()}` };
    assert.deepEqual(verifySlackRequest(DOC_SECRET, headers, Buffer.from(DOC_BODY), DOC_NOW), { ok: true });
  });

  it('rejects a wrong secret, a tampered body and a signature for another timestamp', () => {
    const headers = { timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE };
    assert.deepEqual(verifySlackRequest('another-secret', headers, DOC_BODY, DOC_NOW), { ok: false, reason: 'signature mismatch' });
    assert.deepEqual(verifySlackRequest(DOC_SECRET, headers, DOC_BODY.replace('text=', 'text=ack'), DOC_NOW), {
      ok: false,
      reason: 'signature mismatch',
    });
    const otherTs = String(Number(DOC_TIMESTAMP) + 1);
    assert.deepEqual(verifySlackRequest(DOC_SECRET, { timestamp: otherTs, signature: DOC_SIGNATURE }, DOC_BODY, DOC_NOW), {
      ok: false,
      reason: 'signature mismatch',
    });
  });

  it('rejects missing headers and an empty secret', () => {
    assert.deepEqual(verifySlackRequest(DOC_SECRET, { signature: DOC_SIGNATURE }, DOC_BODY, DOC_NOW), {
      ok: false,
      reason: 'missing X-Slack-Request-Timestamp header',
    });
    assert.deepEqual(verifySlackRequest(DOC_SECRET, { timestamp: DOC_TIMESTAMP }, DOC_BODY, DOC_NOW), {
      ok: false,
      reason: 'missing X-Slack-Signature header',
    });
    assert.deepEqual(verifySlackRequest(DOC_SECRET, { timestamp: ' ', signature: DOC_SIGNATURE }, DOC_BODY, DOC_NOW), {
      ok: false,
      reason: 'missing X-Slack-Request-Timestamp header',
    });
    assert.deepEqual(verifySlackRequest('', { timestamp: DOC_TIMESTAMP, signature: sign('', DOC_TIMESTAMP, DOC_BODY) }, DOC_BODY, DOC_NOW), {
      ok: false,
      reason: 'no signing secret configured',
    });
  });

  it('rejects malformed timestamps and signatures', () => {
    const r1 = verifySlackRequest(DOC_SECRET, { timestamp: '2018-07-12T18:36:58Z', signature: DOC_SIGNATURE }, DOC_BODY, DOC_NOW);
    assert.equal(r1.ok, false);
    assert.match((r1 as { reason: string }).reason, /^invalid X-Slack-Request-Timestamp/);
    for (const signature of [DOC_SIGNATURE.slice(3), `v1=${DOC_SIGNATURE.slice(3)}`, `${DOC_SIGNATURE}0`, DOC_SIGNATURE.slice(0, -1)]) {
      const r = verifySlackRequest(DOC_SECRET, { timestamp: DOC_TIMESTAMP, signature }, DOC_BODY, DOC_NOW);
      assert.deepEqual(r, { ok: false, reason: 'malformed X-Slack-Signature header: expected v0=<64 hex digits>' }, signature);
    }
  });

  it('rejects a correctly signed request older or newer than the tolerance (replay)', () => {
    const headers = { timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE };
    const sent = Number(DOC_TIMESTAMP) * 1000;
    // Exactly at the edge is still fine.
    assert.deepEqual(verifySlackRequest(DOC_SECRET, headers, DOC_BODY, new Date(sent + 300_000)), { ok: true });
    assert.deepEqual(verifySlackRequest(DOC_SECRET, headers, DOC_BODY, new Date(sent - 300_000)), { ok: true });
    const old = verifySlackRequest(DOC_SECRET, headers, DOC_BODY, new Date(sent + 301_000));
    assert.deepEqual(old, { ok: false, reason: 'stale request: timestamp is 301s old (tolerance 300s), possible replay' });
    const future = verifySlackRequest(DOC_SECRET, headers, DOC_BODY, new Date(sent - 600_000));
    assert.deepEqual(future, { ok: false, reason: 'stale request: timestamp is 600s in the future (tolerance 300s), possible replay' });
    // A custom tolerance is honoured.
    assert.equal(verifySlackRequest(DOC_SECRET, headers, DOC_BODY, new Date(sent + 61_000), 60).ok, false);
    assert.equal(verifySlackRequest(DOC_SECRET, headers, DOC_BODY, new Date(sent + 59_000), 60).ok, true);
  });
});

describe('parseSlashCommand', () => {
  it('reads the form fields Slack sends', () => {
    const body = new URLSearchParams({
      token: 'gIkuvaNzQIHg97ATvDxqgjtO',
      team_id: 'T0001',
      team_domain: 'example',
      enterprise_id: 'E0001',
      enterprise_name: 'Globular Construct Inc',
      channel_id: 'C2147483705',
      channel_name: 'incidents',
      user_id: 'U2147483697',
      user_name: 'steve',
      command: '/vigil',
      text: '  note INC-42 rebooted  the proxy ',
      response_url: 'https://hooks.slack.com/commands/1234/5678',
      trigger_id: '13345224609.738474920.8088930838d88f008e0',
      api_app_id: 'A123456',
    }).toString();
    assert.deepEqual(parseSlashCommand(body), {
      ok: true,
      user: { id: 'U2147483697', name: 'steve' },
      command: '/vigil',
      text: 'note INC-42 rebooted  the proxy',
      responseUrl: 'https://hooks.slack.com/commands/1234/5678',
      channelId: 'C2147483705',
      teamId: 'T0001',
      triggerId: '13345224609.738474920.8088930838d88f008e0',
    });
  });

  it("parses Slack's documented signing example, from a Buffer", () => {
    const parsed = parseSlashCommand(Buffer.from(DOC_BODY));
    assert.equal(parsed.ok, true);
    if (!parsed.ok) return;
    assert.equal(parsed.command, '/webhook-collect');
    assert.equal(parsed.text, '');
    assert.deepEqual(parsed.user, { id: 'U2CERLKJA', name: 'roadrunner' });
    assert.equal(parsed.responseUrl, 'https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN');
    assert.equal(parsed.channelId, 'G8PSS9T3V');
  });

  it('rejects a body without user_id or command', () => {
    assert.deepEqual(parseSlashCommand('command=%2Fvigil&text=help'), { ok: false, error: 'slash command without user_id' });
    assert.deepEqual(parseSlashCommand('user_id=U1&text=help'), { ok: false, error: 'slash command without command' });
  });
});

describe('parseVigilCommand', () => {
  const cases: Array<[string, VigilCommand]> = [
    ['', { action: 'help' }],
    ['   ', { action: 'help' }],
    ['help', { action: 'help' }],
    ['HELP me', { action: 'help' }],
    ['ack INC-42', { action: 'ack', incident: 'INC-42' }],
    ['Ack inc-42', { action: 'ack', incident: 'INC-42' }],
    ['acknowledge INC-007', { action: 'ack', incident: 'INC-7' }],
    ['assign INC-3 @bob', { action: 'assign', incident: 'INC-3', user: 'bob' }],
    ['assign INC-3 bob', { action: 'assign', incident: 'INC-3', user: 'bob' }],
    ['assign inc-3 <@U024BE7LH|bob>', { action: 'assign', incident: 'INC-3', user: 'bob', slackUserId: 'U024BE7LH' }],
    ['assign INC-3 <@W0123ABC>', { action: 'assign', incident: 'INC-3', user: 'W0123ABC', slackUserId: 'W0123ABC' }],
    ['assign INC-3 <@U024BE7LH|Bob Smith>', { action: 'assign', incident: 'INC-3', user: 'U024BE7LH', slackUserId: 'U024BE7LH' }],
    ['assign INC-3 alice.jones@example.com', { action: 'assign', incident: 'INC-3', user: 'alice.jones@example.com' }],
    ['note INC-5 rebooted the proxy, watching', { action: 'note', incident: 'INC-5', text: 'rebooted the proxy, watching' }],
    ['note INC-5 line one\nline two', { action: 'note', incident: 'INC-5', text: 'line one\nline two' }],
    ['resolve INC-9', { action: 'resolve', incident: 'INC-9' }],
    ['resolve inc-9 false positive: scanner', { action: 'resolve', incident: 'INC-9', reason: 'false positive: scanner' }],
    ['status', { action: 'status' }],
    ['STATUS', { action: 'status' }],
    ['change CHG-12 start', { action: 'change', change: 'CHG-12', step: 'start' }],
    ['change chg-12 Complete', { action: 'change', change: 'CHG-12', step: 'complete' }],
  ];
  for (const [text, expected] of cases) {
    it(`"${text.replace(/\n/g, '\\n')}"`, () => assert.deepEqual(parseVigilCommand(text), expected));
  }

  const errors: Array<[string, string]> = [
    ['page INC-1', 'unknown command "page"; try `/vigil help`'],
    ['ack', '`ack` needs an incident id, e.g. `/vigil ack INC-42`'],
    ['ack 42', '"42" is not an incident id (expected INC-<number>, e.g. INC-42)'],
    ['ack INC-0', '"INC-0" is not an incident id (expected INC-<number>, e.g. INC-42)'],
    ['ack INC-4x', '"INC-4x" is not an incident id (expected INC-<number>, e.g. INC-42)'],
    ['ack INC-1 INC-2', '`ack` takes only an incident id, got extra "INC-2"'],
    ['assign', '`assign` needs an incident id, e.g. `/vigil assign INC-42`'],
    ['assign CHG-1 @bob', '"CHG-1" is not an incident id (expected INC-<number>, e.g. INC-42)'],
    ['assign INC-3', '`assign` needs a user, e.g. `/vigil assign INC-3 @bob`'],
    ['assign INC-3 @bob @carol', '`assign` takes one user, got extra "@carol"'],
    ['assign INC-3 <@U024BE7LH|bob> now', '`assign` takes one user, got extra "now"'],
    ['assign INC-3 <@U024BE7LH|bob', '"<@U024BE7LH|bob" is not a user name (expected @name, name or a Slack mention)'],
    ['assign INC-3 @', '"@" is not a user name (expected @name, name or a Slack mention)'],
    ['assign INC-3 #ops', '"#ops" is not a user name (expected @name, name or a Slack mention)'],
    ['note', '`note` needs an incident id, e.g. `/vigil note INC-42`'],
    ['note INC-5', '`note` needs some text, e.g. `/vigil note INC-5 rebooted the proxy`'],
    ['note the proxy', '"the" is not an incident id (expected INC-<number>, e.g. INC-42)'],
    ['resolve', '`resolve` needs an incident id, e.g. `/vigil resolve INC-42`'],
    ['resolve INC-', '"INC-" is not an incident id (expected INC-<number>, e.g. INC-42)'],
    ['status INC-1', '`status` takes no arguments, got "INC-1"'],
    ['change', '`change` needs a change id and a step, e.g. `/vigil change CHG-7 start`'],
    ['change INC-4 start', '"INC-4" is not a change id (expected CHG-<number>, e.g. CHG-7)'],
    ['change CHG-4', '`change` needs a step, `start` or `complete`, e.g. `/vigil change CHG-4 start`'],
    ['change CHG-4 finish', 'unknown change step "finish" (expected `start` or `complete`)'],
    ['change CHG-4 start now', '`change` takes a change id and a step, got extra "now"'],
  ];
  for (const [text, message] of errors) {
    it(`"${text}" is an error`, () => assert.deepEqual(parseVigilCommand(text), { action: 'error', message }));
  }

  it('normalises ids', () => {
    assert.equal(normaliseIncidentId(' inc-0042 '), 'INC-42');
    assert.equal(normaliseIncidentId('INC-'), null);
    assert.equal(normaliseIncidentId('INC-99999999999999999'), null);
    assert.equal(normaliseChangeId('chg-3'), 'CHG-3');
    assert.equal(normaliseChangeId('INC-3'), null);
  });
});

// Modelled on the block_actions example in Slack's interaction payload reference.
function blockActions(actions: unknown[], overrides: Record<string, unknown> = {}) {
  const payload = {
    type: 'block_actions',
    user: { id: 'U0CA5', username: 'amy.mcgee', name: 'amy.mcgee', team_id: 'T3MDE' },
    api_app_id: 'A0CA5',
    token: 'Shh_its_a_seekrit',
    container: { type: 'message', message_ts: '1548261231.000200', channel_id: 'C0CA5', is_ephemeral: false },
    trigger_id: '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3',
    team: { id: 'T3MDE', domain: 'acme' },
    channel: { id: 'C0CA5', name: 'incidents' },
    response_url: 'https://hooks.slack.com/actions/T3MDE/1234/5678',
    actions,
    ...overrides,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const button = (action_id: string, value?: string) => ({
  action_id,
  block_id: 'incident-INC-42',
  text: { type: 'plain_text', text: 'Acknowledge', emoji: true },
  ...(value === undefined ? {} : { value }),
  type: 'button',
  action_ts: '1548426417.840180',
});

describe('parseInteraction', () => {
  it('reads a button click', () => {
    assert.deepEqual(parseInteraction(blockActions([button('vigil_ack', 'INC-42')])), {
      ok: true,
      user: { id: 'U0CA5', name: 'amy.mcgee' },
      actions: [{ actionId: 'vigil_ack', value: 'INC-42' }],
      responseUrl: 'https://hooks.slack.com/actions/T3MDE/1234/5678',
    });
  });

  it('falls back to user.name, and to an empty value', () => {
    const body = blockActions([button('vigil_other')], { user: { id: 'U1', name: 'bob' } });
    assert.deepEqual(parseInteraction(Buffer.from(body)), {
      ok: true,
      user: { id: 'U1', name: 'bob' },
      actions: [{ actionId: 'vigil_other', value: '' }],
      responseUrl: 'https://hooks.slack.com/actions/T3MDE/1234/5678',
    });
  });

  it('maps vigil_ack and vigil_resolve buttons to commands', () => {
    const parsed = parseInteraction(blockActions([button('vigil_ack', 'inc-42'), button('vigil_resolve', 'INC-43')]));
    assert.equal(parsed.ok, true);
    if (!parsed.ok) return;
    assert.deepEqual(parsed.actions.map(toCommand), [
      { action: 'ack', incident: 'INC-42' },
      { action: 'resolve', incident: 'INC-43' },
    ]);
    assert.deepEqual(toCommand({ actionId: 'vigil_snooze', value: 'INC-42' }), { action: 'error', message: 'unknown action "vigil_snooze"' });
    assert.deepEqual(toCommand({ actionId: 'vigil_ack', value: 'CHG-1' }), {
      action: 'error',
      message: 'button value "CHG-1" is not an incident id (expected INC-<number>)',
    });
  });

  it('rejects other payload types and broken bodies', () => {
    const submission = new URLSearchParams({ payload: JSON.stringify({ type: 'view_submission', user: { id: 'U1' }, view: {} }) }).toString();
    assert.deepEqual(parseInteraction(submission), { ok: false, error: 'unsupported interaction type "view_submission"' });
    assert.deepEqual(parseInteraction('token=x'), { ok: false, error: 'interaction without a payload field' });
    assert.deepEqual(parseInteraction('payload=%7Bnot-json'), { ok: false, error: 'interaction payload is not valid JSON' });
    assert.deepEqual(parseInteraction('payload=%5B%5D'), { ok: false, error: 'interaction payload is not an object' });
    assert.deepEqual(parseInteraction(blockActions([button('vigil_ack', 'INC-1')], { user: { name: 'x' } })), {
      ok: false,
      error: 'block_actions payload without user.id',
    });
    assert.deepEqual(parseInteraction(blockActions([])), { ok: false, error: 'block_actions payload without actions' });
    assert.deepEqual(parseInteraction(blockActions([{ type: 'button', value: 'INC-1' }])), {
      ok: false,
      error: 'block_actions action without action_id',
    });
  });
});

describe('slackReply', () => {
  it('is ephemeral unless asked otherwise', () => {
    assert.deepEqual(slackReply('Acknowledged INC-42'), { response_type: 'ephemeral', text: 'Acknowledged INC-42' });
    assert.deepEqual(slackReply('INC-42 resolved', { inChannel: true }), { response_type: 'in_channel', text: 'INC-42 resolved' });
  });

  it('carries blocks when given', () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*INC-42* acknowledged' } }];
    assert.deepEqual(slackReply('INC-42 acknowledged', { blocks }), { response_type: 'ephemeral', text: 'INC-42 acknowledged', blocks });
    assert.equal('blocks' in slackReply('x', { blocks: [] }), false);
  });
});
