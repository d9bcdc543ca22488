/**
 * What RFC 5424 and RFC 3164 share: the PRI value and its names, and the mapping of the parsed
 * header to ECS.
 *
 * Names are the keywords syslog tools use (`logger -p auth.warning`, rsyslog selectors):
 * facility kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp,
 * security, console, solaris-cron, local0..local7; severity emerg, alert, crit, err, warning,
 * notice, info, debug.
 */
import type { Obj } from './util.ts';

export const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'ntp', 'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4',
  'local5', 'local6', 'local7',
] as const;

export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/**
 * Read `<PRI>` at the start of `s`: returns [priority, index after '>'] or null. PRI is 1-3
 * digits, 0..191, no leading zero except "0" itself (RFC 5424 §6.2.1).
 */
export function readPri(s: string): [number, number] | null {
  if (s.charCodeAt(0) !== 60) return null;
  let n = 0;
  let i = 1;
  for (; i < 5 && i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 62) break;
    if (c < 48 || c > 57) return null;
    n = n * 10 + (c - 48);
  }
  if (i === 1 || i >= s.length || s.charCodeAt(i) !== 62 || n > 191) return null;
  if (i > 2 && s.charCodeAt(1) === 48) return null;
  return [n, i + 1];
}

/** The parsed header, common to both RFCs. */
export interface SyslogHeader {
  priority: number | null;
  version?: string;
  hostname: string | null;
  appname: string | null;
  procid: string | null;
  msgid?: string | null;
  structuredData?: Obj | null;
}

/** Build `log.syslog`, `host`, `process`, `event.severity` from a header into `ev`. */
export function applyHeader(ev: Obj, h: SyslogHeader): void {
  const syslog: Obj = {};
  if (h.priority !== null) {
    const fac = h.priority >> 3;
    const sev = h.priority & 7;
    syslog.priority = h.priority;
    syslog.facility = { code: fac, name: FACILITIES[fac] };
    syslog.severity = { code: sev, name: SEVERITIES[sev] };
    (ev.event as Obj).severity = sev;
  }
  if (h.version !== undefined) syslog.version = h.version;
  if (h.hostname !== null) {
    syslog.hostname = h.hostname;
    ev.host = { name: h.hostname };
  }
  if (h.appname !== null) syslog.appname = h.appname;
  if (h.procid !== null) syslog.procid = h.procid;
  if (h.msgid) syslog.msgid = h.msgid;
  if (h.structuredData) syslog.structured_data = h.structuredData;
  if (h.appname !== null || h.procid !== null) {
    const proc: Obj = {};
    if (h.appname !== null) proc.name = processName(h.appname);
    const pid = h.procid !== null ? pidOf(h.procid) : null;
    if (pid !== null) proc.pid = pid;
    if (proc.name !== undefined || proc.pid !== undefined) ev.process = proc;
  }
  ev.log = { syslog };
}

/**
 * `sshd(pam_unix)` (old Red Hat pam tags) → `sshd`; anything else unchanged. The full tag stays
 * in `log.syslog.appname`.
 */
export function processName(app: string): string {
  const p = app.indexOf('(');
  return p > 0 && app.charCodeAt(app.length - 1) === 41 ? app.slice(0, p) : app;
}

function pidOf(s: string): number | null {
  if (s.length === 0 || s.length > 10) return null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const n = +s;
  return n <= 0x7fffffff ? n : null;
}
