/**
 * Linux authentication lines (sshd, sudo, su, login, systemd-logind, pam_unix) → ECS fields.
 *
 * `linuxAuthFields(message, app)` returns the ECS fields to merge into the syslog event, or null
 * when the message is not one we know. It is tried on every syslog message, so it is a cheap
 * prefix dispatch first; every regex below is anchored and has no nested quantifiers.
 *
 * Mapping: event.category ["authentication"] with event.type ["start"] for login attempts (ssh
 * accepted/failed, su, login) and ["info"] for the rest (invalid user, pam failures, sudo
 * commands); ["end"] for disconnects. Session open/close (pam_unix session, systemd-logind) are
 * event.category ["session"] with type start/end. event.outcome success|failure where the line
 * says so. user.name is the account that authenticates (or runs sudo / su); user.effective.name
 * the account switched to (sudo USER=, su "to root"); source.ip / source.port from the peer
 * (a peer that is a host name goes to source.domain); process.command_line and
 * process.working_directory from sudo COMMAND= / PWD=; event.reason for sudo failures.
 *
 * Client-chosen user names may contain spaces and words like "from": the peer address and port are
 * therefore matched at the end of the line (greedy user, anchored tail), so a user name such as
 * `x from 10.0.0.1` cannot spoof source.ip. sudo's own format is ambiguous (a PWD may contain
 * " ; USER=...") and is parsed left to right as sudo writes it.
 *
 * Actions: ssh_login, ssh_invalid_user, ssh_connection_closed, ssh_disconnect,
 * ssh_max_auth_exceeded, pam_auth_failure, sudo_command, su_switch_user, console_login,
 * session_opened, session_closed.
 */
import { toIp, toPort, type Obj } from './util.ts';

const ACCEPTED = /^Accepted (\S+) for (.*) from (\S+) port (\d+)(?: ssh2)?(?:: .*)?$/;
const FAILED = /^Failed (\S+) for (invalid user )?(.*) from (\S+) port (\d+)(?: ssh2)?$/;
const INVALID_USER = /^Invalid user (.*) from (\S+)(?: port (\d+))?$/;
const CONN_CLOSED_USER = /^Connection closed by (authenticating|invalid) user (.*) (\S+) port (\d+)(?: \[preauth\])?$/;
const CONN_CLOSED = /^Connection closed by (\S+)(?: port (\d+))?(?: \[preauth\])?$/;
const DISCONNECTED_USER = /^Disconnected from (?:authenticating user |invalid user |user )(.*) (\S+) port (\d+)(?: \[preauth\])?$/;
const DISCONNECTED = /^Disconnected from (\S+) port (\d+)(?: \[preauth\])?$/;
const MAX_AUTH = /^error: maximum authentication attempts exceeded for (invalid user )?(.*) from (\S+) port (\d+)(?: ssh2)?(?: \[preauth\])?$/;
const TOO_MANY = /^Disconnecting(?: (?:authenticating|invalid) user (.*) (\S+) port (\d+))?: Too many authentication failures(?: for (?:invalid user )?(.*?))?(?: \[preauth\])?$/;
const PAM_PREFIX = /^pam_unix\(([^:)\s]{1,64}):([a-z]{1,16})\): /;
const PAM_MORE = /^PAM (\d+) more authentication failures?; /;
const SESSION_OPENED = /^session opened for user ([^\s(]+)(?:\(uid=\d+\))?(?: by ([^\s(]*)\(uid=(\d+)\))?/;
const SESSION_CLOSED = /^session closed for user (\S+)/;
const INPUT_USERAUTH = /^input_userauth_request: invalid user (.*?)(?: \[preauth\])?$/;
const REPEATED = /^message repeated (\d+) times: \[ ?/;
const SU_TO = /^(FAILED SU )?\(to (\S+)\) (\S+) on (\S+)/;
const SU_FOR = /^(Successful|FAILED) su for (\S+) by (\S+)/;
const SU_OLD = /^([+-]) (\S+) ([^\s:]+):(\S+)$/;
const LOGIN_FAILED = /^FAILED LOGIN \(?(\d+)\)? (?:on '([^']*)' |FROM (\S+) )?FOR '?([^',]*)'?, (.*)$/;
const ROOT_LOGIN = /^ROOT LOGIN {1,2}on '([^']*)'(?: FROM (\S+))?/;
const LOGIN_ON = /^LOGIN ON (\S+) BY (\S+)(?: FROM (\S+))?/;
const LOGIND_NEW = /^New session (\S+) of user ([^\s.]+)\.?/;
const LOGIND_REMOVED = /^Removed session (\S+?)\.?$/;
const LOGIND_LOGGED_OUT = /^Session (\S+) logged out\./;

const KNOWN_APPS = new Set(['sshd', 'sudo', 'su', 'login', 'systemd-logind', 'sshd-session']);

/** True when `app` is one whose lines we parse even without a recognisable pattern check. */
export function isAuthApp(app: string | null): boolean {
  return app !== null && KNOWN_APPS.has(app);
}

function auth(type: string, action: string, outcome: string | null): Obj {
  const event: Obj = { category: ['authentication'], type: [type], action };
  if (outcome) event.outcome = outcome;
  return { event };
}

function session(type: 'start' | 'end', action: string): Obj {
  return { event: { category: ['session'], type: [type], action, outcome: 'success' } };
}

function setPeer(o: Obj, addr: string | undefined, port?: string | undefined): void {
  if (!addr) return;
  const src: Obj = {};
  const ip = toIp(addr);
  if (ip) src.ip = ip;
  else if (addr !== '-' && addr !== 'UNKNOWN') src.domain = addr;
  else return;
  const p = port !== undefined ? toPort(port) : null;
  if (p !== null) src.port = p;
  o.source = src;
}

function setUser(o: Obj, name: string | undefined | null, effective?: string | null): void {
  const user: Obj = {};
  if (name) user.name = name;
  if (effective) user.effective = { name: effective };
  if (name || effective) o.user = user;
}

/**
 * `key=value` pairs of a pam_unix failure line (`logname= uid=0 ... rhost=1.2.3.4  user=root`).
 * pam_unix writes `user=` last and the user name is chosen by the client, so `user=` takes the
 * rest of the line and the first occurrence of every other key wins: a user name like
 * `x rhost=10.0.0.1` cannot replace the real peer.
 */
function pamKv(s: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < s.length) {
    while (s.charCodeAt(i) === 32) i++;
    let sp = s.indexOf(' ', i);
    if (sp < 0) sp = s.length;
    const eq = s.indexOf('=', i);
    if (eq > i && eq < sp) {
      const k = s.slice(i, eq);
      if (k === 'user') {
        out.set(k, s.slice(eq + 1).trimEnd());
        break;
      }
      if (!out.has(k)) out.set(k, s.slice(eq + 1, sp));
    }
    i = sp + 1;
  }
  return out;
}

function pamFailure(kv: string, svc: string | null): Obj {
  const o = auth('info', 'pam_auth_failure', 'failure');
  const m = pamKv(kv);
  setUser(o, m.get('user') || null);
  setPeer(o, m.get('rhost') || undefined);
  if (svc) o.system = { auth: { pam: { service: svc } } };
  return o;
}

/** The body of a pam_unix message (after `pam_unix(svc:type): ` or for `svc(pam_unix)` tags). */
function pamBody(body: string, svc: string | null): Obj | null {
  if (body.startsWith('authentication failure; ')) return pamFailure(body.slice(24), svc);
  let m = SESSION_OPENED.exec(body);
  if (m) {
    const o = session('start', 'session_opened');
    setUser(o, m[1]);
    return o;
  }
  m = SESSION_CLOSED.exec(body);
  if (m) {
    const o = session('end', 'session_closed');
    setUser(o, m[1]);
    return o;
  }
  return null;
}

/** sudo: `bob : [reason ; ]TTY=pts/0 ; PWD=/x ; USER=root ; [GROUP=g ; ]COMMAND=/bin/cmd args`. */
function sudoLine(msg: string, isSudo: boolean): Obj | null {
  const colon = msg.indexOf(' : ');
  if (colon <= 0 || colon > 256) return null;
  const user = msg.slice(0, colon).trim();
  if (user.length === 0 || user.includes(' ')) return null;
  let rest = msg.slice(colon + 3);
  let tty: string | null = null, pwd: string | null = null, runAs: string | null = null;
  let command: string | null = null;
  let reason: string | null = null;
  for (let guard = 0; guard < 16 && rest.length > 0; guard++) {
    if (rest.startsWith('COMMAND=')) {
      command = rest.slice(8);
      break;
    }
    const sep = rest.indexOf(' ; ');
    const piece = sep < 0 ? rest : rest.slice(0, sep);
    const eq = piece.indexOf('=');
    const key = eq > 0 ? piece.slice(0, eq) : '';
    if (key === 'TTY') tty = piece.slice(4);
    else if (key === 'PWD') pwd = piece.slice(4);
    else if (key === 'USER') runAs = piece.slice(5);
    else if (key === 'GROUP' || key === 'ENV' || key === 'TSID' || key === 'CHROOT' || key === 'CWD') {
      // known, not mapped
    } else if (reason === null) reason = piece;
    if (sep < 0) break;
    rest = rest.slice(sep + 3);
  }
  if (!isSudo && (tty === null || command === null)) return null;
  if (tty === null && command === null && runAs === null) return null;
  const o = auth('info', 'sudo_command', reason === null ? 'success' : 'failure');
  if (reason !== null) (o.event as Obj).reason = reason;
  setUser(o, user, runAs);
  if (command !== null || pwd !== null) {
    const p: Obj = {};
    if (command !== null) p.command_line = command;
    if (pwd !== null) p.working_directory = pwd;
    o.process = p;
  }
  if (tty !== null) o.system = { auth: { sudo: { tty } } };
  return o;
}

/**
 * ECS fields for a Linux auth message, or null. `app` is the syslog APP-NAME / TAG (may be null),
 * e.g. `sshd`, `sudo`, `su`, or the Red Hat form `sshd(pam_unix)`.
 */
export function linuxAuthFields(message: string, app: string | null): Obj | null {
  let msg = message;
  if (msg.length === 0 || msg.length > 2048) return null; // real auth lines are short; bounds regex work
  // "message repeated 5 times: [ Failed password for root from ... ssh2]"
  if (msg.charCodeAt(0) === 109 && msg.startsWith('message repeated ')) {
    const r = REPEATED.exec(msg);
    if (r) {
      msg = msg.slice(r[0].length);
      if (msg.endsWith(']')) msg = msg.slice(0, -1);
    }
  }
  // Red Hat pam tags: "sshd(pam_unix)[123]: authentication failure; ..."
  if (app !== null && app.endsWith('(pam_unix)')) {
    const svc = app.slice(0, -10);
    const o = pamBody(msg, svc);
    if (o) return o;
  }
  let m: RegExpExecArray | null;
  switch (msg.charCodeAt(0)) {
    case 65: // A
      if ((m = ACCEPTED.exec(msg))) {
        const o = auth('start', 'ssh_login', 'success');
        setUser(o, m[2]);
        setPeer(o, m[3], m[4]);
        o.system = { auth: { ssh: { method: m[1] } } };
        return o;
      }
      break;
    case 70: // F
      if ((m = FAILED.exec(msg))) {
        const o = auth('start', 'ssh_login', 'failure');
        setUser(o, m[3] || null);
        setPeer(o, m[4], m[5]);
        o.system = { auth: { ssh: { method: m[1], ...(m[2] ? { invalid_user: true } : {}) } } };
        return o;
      }
      if ((m = SU_TO.exec(msg)) && m[1]) return suSwitch(m[3], m[2], m[4], false);
      if ((m = SU_FOR.exec(msg))) return suSwitch(m[3], m[2], null, m[1] === 'Successful');
      if ((m = LOGIN_FAILED.exec(msg))) {
        const o = auth('start', 'console_login', 'failure');
        setUser(o, m[4] || null);
        setPeer(o, m[3]);
        (o.event as Obj).reason = m[5];
        return o;
      }
      break;
    case 73: // I
      if ((m = INVALID_USER.exec(msg))) {
        const o = auth('info', 'ssh_invalid_user', 'failure');
        setUser(o, m[1] || null);
        setPeer(o, m[2], m[3]);
        return o;
      }
      break;
    case 67: // C
      if ((m = CONN_CLOSED_USER.exec(msg))) {
        const o = auth('end', 'ssh_connection_closed', 'failure');
        setUser(o, m[2] || null);
        setPeer(o, m[3], m[4]);
        return o;
      }
      if ((m = CONN_CLOSED.exec(msg))) {
        const o = auth('end', 'ssh_connection_closed', null);
        setPeer(o, m[1], m[2]);
        return o;
      }
      break;
    case 68: // D
      if ((m = DISCONNECTED_USER.exec(msg))) {
        const o = auth('end', 'ssh_disconnect', null);
        setUser(o, m[1] || null);
        setPeer(o, m[2], m[3]);
        return o;
      }
      if ((m = DISCONNECTED.exec(msg))) {
        const o = auth('end', 'ssh_disconnect', null);
        setPeer(o, m[1], m[2]);
        return o;
      }
      if ((m = TOO_MANY.exec(msg))) {
        const o = auth('info', 'ssh_max_auth_exceeded', 'failure');
        setUser(o, m[1] ?? m[4] ?? null);
        setPeer(o, m[2], m[3]);
        return o;
      }
      break;
    case 105: // i
      if ((m = INPUT_USERAUTH.exec(msg))) {
        const o = auth('info', 'ssh_invalid_user', 'failure');
        setUser(o, m[1] || null);
        return o;
      }
      break;
    case 101: // e
      if (msg.startsWith('error: Received disconnect from ')) return receivedDisconnect(msg.slice(32));
      if ((m = MAX_AUTH.exec(msg))) {
        const o = auth('info', 'ssh_max_auth_exceeded', 'failure');
        setUser(o, m[2] || null);
        setPeer(o, m[3], m[4]);
        return o;
      }
      break;
    case 112: // p
      if ((m = PAM_PREFIX.exec(msg))) {
        const o = pamBody(msg.slice(m[0].length), m[1]);
        if (o) return o;
      }
      break;
    case 80: // P
      if ((m = PAM_MORE.exec(msg))) return pamFailure(msg.slice(m[0].length), null);
      break;
    case 82: // R
      if (msg.startsWith('Received disconnect from ')) return receivedDisconnect(msg.slice(25));
      if ((m = ROOT_LOGIN.exec(msg))) {
        const o = auth('start', 'console_login', 'success');
        setUser(o, 'root');
        setPeer(o, m[2]);
        return o;
      }
      if ((m = LOGIND_REMOVED.exec(msg))) return session('end', 'session_closed');
      break;
    case 76: // L
      if ((m = LOGIN_ON.exec(msg))) {
        const o = auth('start', 'console_login', 'success');
        setUser(o, m[2]);
        setPeer(o, m[3]);
        return o;
      }
      break;
    case 78: // N
      if ((m = LOGIND_NEW.exec(msg))) {
        const o = session('start', 'session_opened');
        setUser(o, m[2]);
        return o;
      }
      break;
    case 83: // S
      if ((m = SU_FOR.exec(msg))) return suSwitch(m[3], m[2], null, true);
      if ((m = LOGIND_LOGGED_OUT.exec(msg))) return session('end', 'session_closed');
      break;
    case 40: // (
      if ((m = SU_TO.exec(msg))) return suSwitch(m[3], m[2], m[4], true);
      break;
    case 43: // +
    case 45: // -
      if (app === 'su' && (m = SU_OLD.exec(msg))) return suSwitch(m[3], m[4], m[2], m[1] === '+');
      break;
  }
  // sudo: "bob : TTY=pts/0 ; PWD=... ; USER=root ; COMMAND=..." (newer sudo indents the user)
  const isSudo = app === 'sudo';
  if (isSudo || msg.includes(' : TTY=')) {
    const o = sudoLine(msg.trimStart(), isSudo);
    if (o) return o;
  }
  return null;
}

function suSwitch(user: string, target: string, tty: string | null, success: boolean): Obj {
  const o = auth('start', 'su_switch_user', success ? 'success' : 'failure');
  setUser(o, user, target);
  if (tty) o.system = { auth: { su: { tty } } };
  return o;
}

/** "1.2.3.4: 11: disconnected by user" or "1.2.3.4 port 5000:11: disconnected by user". */
function receivedDisconnect(rest: string): Obj {
  const o = auth('end', 'ssh_disconnect', null);
  let sp = rest.indexOf(' ');
  if (sp < 0) sp = rest.length;
  let addr = rest.slice(0, sp);
  let port: string | undefined;
  if (rest.startsWith(' port ', sp)) {
    const colon = rest.indexOf(':', sp + 6);
    if (colon > 0) port = rest.slice(sp + 6, colon);
  } else if (addr.endsWith(':')) addr = addr.slice(0, -1);
  setPeer(o, addr, port);
  return o;
}
