/**
 * Inbound Slack: request signing, the `/vigil` slash command and Block Kit button clicks.
 *
 * Pure functions: the API route hands over the raw body, the headers and the clock, and performs
 * whatever command comes back. Nothing here talks to Slack or to the store.
 *
 * Formats (Slack's public docs):
 * - Signing: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body)>`,
 *   the timestamp in Unix seconds; requests more than five minutes off the clock are replays.
 * - Slash commands: an application/x-www-form-urlencoded body (token, team_id, team_domain,
 *   channel_id, channel_name, user_id, user_name, command, text, response_url, trigger_id, ...).
 * - Interactivity: a form body whose `payload` field is JSON; button clicks arrive as
 *   `type: "block_actions"` with `user`, `actions[].action_id` / `value` and `response_url`.
 */
import { hmacSha256Matches, isPlainObject } from '../../../lib/index.ts';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** What a parse could not make sense of; `error` is fit to show the user. */
export interface SlackParseError {
  ok: false;
  error: string;
}

export interface SlackUser {
  /** U…/W… id. */
  id: string;
  /** The user name Slack sent (may be empty when Slack sends none). */
  name: string;
}

const SIGNATURE = /^v0=([0-9a-fA-F]+)$/;
const SHA256_HEX_LENGTH = 64;

/**
 * Checks `X-Slack-Signature` against `X-Slack-Request-Timestamp` and the raw body (the bytes Slack
 * sent, before any form parsing), and rejects timestamps more than `toleranceSeconds` away from
 * `now` in either direction (a replayed or pre-dated request).
 */
export function verifySlackRequest(
  signingSecret: string,
  headers: { timestamp?: string; signature?: string },
  rawBody: string | Buffer,
  now: Date,
  toleranceSeconds = 300,
): VerifyResult {
  // An empty secret would let anyone compute a valid signature.
  if (!signingSecret) return { ok: false, reason: 'no signing secret configured' };
  const { timestamp, signature } = headers;
  if (typeof timestamp !== 'string' || timestamp.trim() === '') return { ok: false, reason: 'missing X-Slack-Request-Timestamp header' };
  if (typeof signature !== 'string' || signature.trim() === '') return { ok: false, reason: 'missing X-Slack-Signature header' };
  const ts = timestamp.trim();
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: `invalid X-Slack-Request-Timestamp "${ts}": expected Unix seconds` };
  const skew = Math.floor(now.getTime() / 1000) - Number(ts);
  if (Math.abs(skew) > toleranceSeconds) {
    const when = skew > 0 ? `${skew}s old` : `${-skew}s in the future`;
    return { ok: false, reason: `stale request: timestamp is ${when} (tolerance ${toleranceSeconds}s), possible replay` };
  }
  const m = SIGNATURE.exec(signature.trim());
  // Exactly 64 digits: Node's hex decoder silently drops an odd trailing nibble.
  if (!m || m[1]!.length !== SHA256_HEX_LENGTH) return { ok: false, reason: 'malformed X-Slack-Signature header: expected v0=<64 hex digits>' };
  return hmacSha256Matches(signingSecret, [`v0:${ts}:`, rawBody], m[1]!) ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

// ---------------------------------------------------------------------------------------------
// Slash command

export interface SlashCommand {
  ok: true;
  user: SlackUser;
  /** As typed, e.g. "/vigil". */
  command: string;
  /** Everything after the command, trimmed. */
  text: string;
  responseUrl: string;
  channelId: string;
  teamId: string;
  triggerId: string;
}

/** The form fields of a slash-command request. */
export function parseSlashCommand(rawBody: string | Buffer): SlashCommand | SlackParseError {
  const form = new URLSearchParams(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  const userId = form.get('user_id')?.trim();
  const command = form.get('command')?.trim();
  if (!userId) return { ok: false, error: 'slash command without user_id' };
  if (!command) return { ok: false, error: 'slash command without command' };
  return {
    ok: true,
    user: { id: userId, name: form.get('user_name')?.trim() ?? '' },
    command,
    text: (form.get('text') ?? '').trim(),
    responseUrl: form.get('response_url')?.trim() ?? '',
    channelId: form.get('channel_id')?.trim() ?? '',
    teamId: form.get('team_id')?.trim() ?? '',
    triggerId: form.get('trigger_id')?.trim() ?? '',
  };
}

// ---------------------------------------------------------------------------------------------
// The /vigil grammar

export type ChangeStep = 'start' | 'complete';

export type VigilCommand =
  | { action: 'ack'; incident: string }
  /** `user` is the name (`@bob`, `<@U123|bob>`, `bob` → "bob"); `slackUserId` when Slack sent a mention. */
  | { action: 'assign'; incident: string; user: string; slackUserId?: string }
  | { action: 'note'; incident: string; text: string }
  | { action: 'resolve'; incident: string; reason?: string }
  /** The caller's open incidents. */
  | { action: 'status' }
  | { action: 'change'; change: string; step: ChangeStep }
  | { action: 'help' }
  | { action: 'error'; message: string };

export const VIGIL_HELP = [
  '*/vigil* commands:',
  '• `/vigil ack INC-42` acknowledge an incident',
  '• `/vigil assign INC-42 @bob` assign it to someone',
  '• `/vigil note INC-42 <text>` add a note to its timeline',
  '• `/vigil resolve INC-42 [reason]` resolve it',
  '• `/vigil status` list your open incidents',
  '• `/vigil change CHG-7 start|complete` record that a change started or completed',
  '• `/vigil help` this message',
].join('\n');

const INCIDENT_ID = /^INC-(\d{1,15})$/i;
const CHANGE_ID = /^CHG-(\d{1,15})$/i;
/** Vigil user names: letters, digits and . _ - + @ (so e-mail addresses work too). */
const USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9._@+-]{0,79}$/;
/** `<@U123>` or `<@U123|bob>`, as Slack escapes mentions. */
const SLACK_MENTION = /^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$/;

/** "inc-007" → "INC-7"; null unless a positive INC-number. */
export function normaliseIncidentId(raw: string): string | null {
  const m = INCIDENT_ID.exec(raw.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? `INC-${n}` : null;
}

/** "chg-3" → "CHG-3"; null unless a positive CHG-number. */
export function normaliseChangeId(raw: string): string | null {
  const m = CHANGE_ID.exec(raw.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? `CHG-${n}` : null;
}

const error = (message: string): VigilCommand => ({ action: 'error', message });

/** Splits off the first whitespace-separated word; `rest` keeps the remainder's inner spacing. */
function shift(text: string): { word: string; rest: string } {
  const trimmed = text.trim();
  const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  return m ? { word: m[1]!, rest: m[2]!.trim() } : { word: '', rest: '' };
}

function incidentArg(verb: string, text: string): { incident: string; rest: string } | { error: VigilCommand } {
  const { word, rest } = shift(text);
  if (!word) return { error: error(`\`${verb}\` needs an incident id, e.g. \`/vigil ${verb} INC-42\``) };
  const incident = normaliseIncidentId(word);
  if (!incident) return { error: error(`"${word}" is not an incident id (expected INC-<number>, e.g. INC-42)`) };
  return { incident, rest };
}

/** Like shift, but a Slack mention is one word even when its name has spaces (`<@U1|Bob Smith>`). */
function shiftUser(text: string): { word: string; rest: string } {
  const end = text.startsWith('<@') ? text.indexOf('>') : -1;
  return end > 0 ? { word: text.slice(0, end + 1), rest: text.slice(end + 1).trim() } : shift(text);
}

function userArg(raw: string): { user: string; slackUserId?: string } | null {
  const mention = SLACK_MENTION.exec(raw);
  if (mention) {
    const name = mention[2]?.trim();
    if (name && USER_NAME.test(name)) return { user: name, slackUserId: mention[1]! };
    // Slack does not always send the name (nor one Vigil could use): the id is then all there is.
    return { user: mention[1]!, slackUserId: mention[1]! };
  }
  const name = raw.startsWith('@') ? raw.slice(1) : raw;
  return USER_NAME.test(name) ? { user: name } : null;
}

/**
 * The text after `/vigil`. Verbs and ids are case-insensitive; ids come back upper case. Anything
 * not understood is `{ action: 'error', message }` with a message fit to show the user.
 */
export function parseVigilCommand(text: string): VigilCommand {
  const { word, rest } = shift(text);
  const verb = word.toLowerCase();
  switch (verb) {
    case '':
    case 'help':
      return { action: 'help' };
    case 'ack':
    case 'acknowledge': {
      const arg = incidentArg('ack', rest);
      if ('error' in arg) return arg.error;
      if (arg.rest) return error(`\`ack\` takes only an incident id, got extra "${arg.rest}"`);
      return { action: 'ack', incident: arg.incident };
    }
    case 'assign': {
      const arg = incidentArg('assign', rest);
      if ('error' in arg) return arg.error;
      const { word: who, rest: extra } = shiftUser(arg.rest);
      if (!who) return error(`\`assign\` needs a user, e.g. \`/vigil assign ${arg.incident} @bob\``);
      if (extra) return error(`\`assign\` takes one user, got extra "${extra}"`);
      const user = userArg(who);
      if (!user) return error(`"${who}" is not a user name (expected @name, name or a Slack mention)`);
      return { action: 'assign', incident: arg.incident, ...user };
    }
    case 'note': {
      const arg = incidentArg('note', rest);
      if ('error' in arg) return arg.error;
      if (!arg.rest) return error(`\`note\` needs some text, e.g. \`/vigil note ${arg.incident} rebooted the proxy\``);
      return { action: 'note', incident: arg.incident, text: arg.rest };
    }
    case 'resolve': {
      const arg = incidentArg('resolve', rest);
      if ('error' in arg) return arg.error;
      return arg.rest ? { action: 'resolve', incident: arg.incident, reason: arg.rest } : { action: 'resolve', incident: arg.incident };
    }
    case 'status':
      if (rest) return error(`\`status\` takes no arguments, got "${rest}"`);
      return { action: 'status' };
    case 'change': {
      const { word: id, rest: afterId } = shift(rest);
      if (!id) return error('`change` needs a change id and a step, e.g. `/vigil change CHG-7 start`');
      const change = normaliseChangeId(id);
      if (!change) return error(`"${id}" is not a change id (expected CHG-<number>, e.g. CHG-7)`);
      const { word: stepWord, rest: extra } = shift(afterId);
      if (!stepWord) return error(`\`change\` needs a step, \`start\` or \`complete\`, e.g. \`/vigil change ${change} start\``);
      const step = stepWord.toLowerCase();
      if (step !== 'start' && step !== 'complete') return error(`unknown change step "${stepWord}" (expected \`start\` or \`complete\`)`);
      if (extra) return error(`\`change\` takes a change id and a step, got extra "${extra}"`);
      return { action: 'change', change, step };
    }
    default:
      return error(`unknown command "${word}"; try \`/vigil help\``);
  }
}

// ---------------------------------------------------------------------------------------------
// Interactivity (buttons)

export interface SlackAction {
  actionId: string;
  /** The button's value; '' when it has none. */
  value: string;
}

export interface SlackInteraction {
  ok: true;
  user: SlackUser;
  actions: SlackAction[];
  responseUrl: string;
}

export const ACK_ACTION_ID = 'vigil_ack';
export const RESOLVE_ACTION_ID = 'vigil_resolve';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The `payload` form field of an interactivity request; only `block_actions` is understood. */
export function parseInteraction(rawBody: string | Buffer): SlackInteraction | SlackParseError {
  const form = new URLSearchParams(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  const raw = form.get('payload');
  if (raw === null || raw.trim() === '') return { ok: false, error: 'interaction without a payload field' };
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'interaction payload is not valid JSON' };
  }
  if (!isPlainObject(payload)) return { ok: false, error: 'interaction payload is not an object' };
  if (payload.type !== 'block_actions') return { ok: false, error: `unsupported interaction type "${str(payload.type) || typeof payload.type}"` };
  const user = payload.user;
  if (!isPlainObject(user) || !str(user.id)) return { ok: false, error: 'block_actions payload without user.id' };
  if (!Array.isArray(payload.actions) || payload.actions.length === 0) return { ok: false, error: 'block_actions payload without actions' };
  const actions: SlackAction[] = [];
  for (const a of payload.actions) {
    if (!isPlainObject(a) || !str(a.action_id)) return { ok: false, error: 'block_actions action without action_id' };
    actions.push({ actionId: str(a.action_id), value: str(a.value) });
  }
  return {
    ok: true,
    user: { id: str(user.id), name: str(user.username) || str(user.name) },
    actions,
    responseUrl: str(payload.response_url),
  };
}

/** A button click as a /vigil command: `vigil_ack` → ack, `vigil_resolve` → resolve, with value = incident id. */
export function toCommand(action: SlackAction): VigilCommand {
  if (action.actionId !== ACK_ACTION_ID && action.actionId !== RESOLVE_ACTION_ID) return error(`unknown action "${action.actionId}"`);
  const incident = normaliseIncidentId(action.value);
  if (!incident) return error(`button value "${action.value}" is not an incident id (expected INC-<number>)`);
  return action.actionId === ACK_ACTION_ID ? { action: 'ack', incident } : { action: 'resolve', incident };
}

// ---------------------------------------------------------------------------------------------
// Replies

export interface SlackReply {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  blocks?: unknown[];
}

/**
 * The JSON body of a slash-command (or response_url) reply: ephemeral (only the caller sees it)
 * unless `inChannel`. `text` stays the notification fallback when `blocks` are given.
 */
export function slackReply(text: string, options: { inChannel?: boolean; blocks?: unknown[] } = {}): SlackReply {
  const reply: SlackReply = { response_type: options.inChannel ? 'in_channel' : 'ephemeral', text };
  if (options.blocks && options.blocks.length > 0) reply.blocks = options.blocks;
  return reply;
}
