/**
 * Correlation benchmark: R threshold correlations ("≥ K failed SSH logins for the users of group r
 * from one source IP within T") over one generated day of sshd / sudo syslog, run by Vigil
 * (normalise + RuleSet.process on one core) and, when Debian's `sec` (Simple Event Correlator) is
 * installed, by SEC with the same rules as SingleWithThreshold operations, in the same run.
 *
 * Fairness. SEC keeps its windows on the wall clock (time(2) when it reads a line, never the
 * timestamp in the line; see `man sec`, and it has no option to change that), while Vigil keeps
 * them on event time. Run over a file as fast as it can, SEC's windows therefore cover the
 * whole run. The log is built so that both notions of "within T" give the same alerts:
 *   - a burst: one attacker IP, one group, between K and 2K−1 failures spread over less than T of
 *     log time and nothing else from that pair all day → one alert in both (SEC fires at K and
 *     swallows the rest; Vigil fires at K, consumes those K and never reaches K again);
 *   - a near miss: K−1 failures in a burst → no alert in either;
 *   - benign typos: each (internal IP, group) pair has fewer than K failures over the whole day →
 *     no alert in either, whatever the window.
 * So the expected alerts are known in advance; the bench prints both counts and checks that the
 * (rule, source IP) pairs agree. SEC is measured twice: the literal translation (R rules, every
 * line tried against them in order) and the tuned one an SEC user would write (a leading
 * Suppress rule drops lines that are not failed sshd logins before the R rules); the ratio is
 * taken against the faster of the two. SEC's wall time includes its start-up (reported alone).
 *
 * Rules: rule r counts failed logins (any method, `invalid user` or not) of the users of group r
 * (every R-th user; user names are short, like real ones), grouped by source IP; K runs over 3..20
 * and T over 1..30 minutes from rule to rule. Vigil gets one Sigma base rule and one event_count
 * correlation per r; SEC one SingleWithThreshold rule per r (`window=T`, `thresh=K`, `desc` keyed
 * by the rule and the source IP, `action=write -`), whose regexp matches the same lines.
 *
 * Environment: BENCH_CORRELATION_EVENTS (default 200000; the attack lines are always all there,
 * so with many rules and few events there are more), BENCH_CORRELATION_RULES (default 100, at
 * least 1), BENCH_CORRELATION_IPS (benign source IPs, default 5000). Each SEC run is stopped after
 * 150 s (only thousands of rules get there) and reported as timed out.
 *
 * Run: `node --import tsx bench/correlation.ts` (without `sec` on the PATH the SEC figures are a
 * skip line; `apt-get install sec` for them).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VigilEvent } from '../src/core/index.ts';
import { RuleSet } from '../src/detect/index.ts';
import { newId, seededRandom } from '../src/lib/index.ts';
import { normalizeRecord } from '../src/normalize/index.ts';
import { report } from './lib.ts';

const intEnv = (name: string, fallback: number, min: number): number => {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) && v >= min ? v : fallback;
};
const N = intEnv('BENCH_CORRELATION_EVENTS', 200_000, 1000);
const R = intEnv('BENCH_CORRELATION_RULES', 100, 1);
const BENIGN_IPS = intEnv('BENCH_CORRELATION_IPS', 5000, 10);
/** Per SEC run; only large BENCH_CORRELATION_RULES get near it (SEC tries every rule's regexp in turn). */
const SEC_TIMEOUT_MS = 150_000;
const round = (x: number, digits = 0): number => Math.round(x * 10 ** digits) / 10 ** digits;

// ---- deterministic generator -------------------------------------------------------------------

/** The same log on every run. */
const rand = seededRandom(0x2f6e2b1);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const DAY_START = Date.UTC(2026, 10, 2); // Mon Nov 2 2026, 00:00:00 UTC
const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => String(n).padStart(2, '0');
/** RFC 3164 timestamp as rsyslog writes it to /var/log/auth.log: `Nov  2 13:04:05`. */
const bsdTime = (ms: number): string => {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
};

const FIRST = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'yves'];
const LAST = 'abcdefghijklmnopqrstuvwxyz';
const USERS = Array.from({ length: Math.max(2000, R * 5) }, (_, i) => `${FIRST[i % FIRST.length]}.${LAST[Math.floor(i / FIRST.length) % 26]}${Math.floor(i / (FIRST.length * 26))}`);
/** Users of group r: every R-th user from r. */
const groupOf = (u: number): number => u % R;
const GROUP_USERS = Array.from({ length: R }, (_, r) => USERS.filter((_, u) => groupOf(u) === r));
const HOSTS = Array.from({ length: 40 }, (_, i) => `${['web', 'db', 'bastion', 'app', 'ci'][i % 5]}-${pad2(Math.floor(i / 5) + 1)}`);
const BENIGN = Array.from({ length: BENIGN_IPS }, (_, i) => `10.${(i >> 12) & 255}.${(i >> 6) & 63}.${(i & 63) + 10}`);
const ATTACKERS = Array.from({ length: Math.max(300, R * 4) }, (_, i) => `${[45, 91, 103, 185, 193][i % 5]}.${(i * 37) % 251}.${(i * 11) % 253}.${(i % 250) + 2}`);
const SCAN_NAMES = ['admin', 'root', 'test', 'oracle', 'ubuntu', 'postgres', 'git', 'user', 'pi', 'ftpuser'];
const SUDO_COMMANDS = ['/usr/bin/systemctl restart nginx', '/usr/bin/apt-get update', '/usr/bin/journalctl -u sshd', '/bin/cat /var/log/auth.log', '/usr/bin/docker ps'];

/** Per rule: threshold K (3..20) and timespan T (1 to 30 minutes), varying. */
const SPANS_S = [60, 120, 300, 600, 900, 1800];
const RULES = Array.from({ length: R }, (_, r) => ({ k: 3 + ((r * 7) % 18), t: SPANS_S[(r * 5) % SPANS_S.length]! }));

/** A failed login of a known user (what the rules count, before their user filter). */
const FAILED_LOGIN = / sshd\[\d+\]: Failed \S+ for (?!invalid user )/;

interface Line {
  t: number;
  s: string;
}

function generate(): { lines: string[]; expected: Set<string>; failures: number } {
  const out: Line[] = [];
  const expected = new Set<string>(); // "r ip" pairs that must fire
  const used = new Set<string>(); // attacker "r ip" pairs already given a burst or a near miss
  const sshd = (t: number, host: string, pid: number, msg: string): void => {
    out.push({ t, s: `${bsdTime(t)} ${host} sshd[${pid}]: ${msg}` });
  };

  // Attacks: per rule 3 bursts (K..2K-1 failures within T) and 1 near miss (K-1), each on its own
  // (rule, attacker) pair, with scanning noise (invalid users) around them.
  for (let r = 0; r < R; r++) {
    const { k, t: spanS } = RULES[r]!;
    for (let b = 0; b < 4; b++) {
      const nearMiss = b === 3;
      const size = nearMiss ? k - 1 : k + int(k);
      let ip: string;
      do ip = pick(ATTACKERS);
      while (used.has(`${r} ${ip}`));
      used.add(`${r} ${ip}`);
      if (!nearMiss) expected.add(`${r} ${ip}`);
      const span = spanS * 1000 * (0.2 + 0.7 * rand());
      const start = DAY_START + 60_000 + int(DAY_MS - span - 120_000);
      const host = pick(HOSTS);
      const users = GROUP_USERS[r]!;
      for (let i = 0; i < size; i++) {
        const t = start + (size === 1 ? 0 : Math.floor((span * i) / (size - 1)));
        const pid = 20000 + int(40000);
        const port = 32768 + int(28000);
        const user = pick(users);
        sshd(t, host, pid, `Failed password for ${user} from ${ip} port ${port} ssh2`);
        if (i % 3 === 2) sshd(t, host, pid, `Connection closed by authenticating user ${user} ${ip} port ${port} [preauth]`);
      }
      for (let i = 0; i < 4; i++) {
        const t = start + int(span);
        const name = pick(SCAN_NAMES);
        const port = 32768 + int(28000);
        const pid = 20000 + int(40000);
        sshd(t, host, pid, `Invalid user ${name} from ${ip} port ${port}`);
        sshd(t, host, pid, `Failed password for invalid user ${name} from ${ip} port ${port} ssh2`);
        sshd(t, host, pid, `Connection closed by invalid user ${name} ${ip} port ${port} [preauth]`);
      }
    }
  }

  const attackLines = out.length;

  // Benign traffic up to N lines: logins (sometimes after a typo or two), sessions, sudo.
  const typos = new Map<string, number>(); // "r ip" → failures so far, kept below K all day
  while (out.length < N) {
    const t0 = DAY_START + int(DAY_MS - 3_600_000);
    const host = pick(HOSTS);
    const ip = pick(BENIGN);
    const u = int(USERS.length);
    const user = USERS[u]!;
    const r = groupOf(u);
    const pid = 1000 + int(60000);
    const port = 40000 + int(25000);
    let t = t0;
    const roll = rand();
    if (roll < 0.12) {
      const key = `${r} ${ip}`;
      const n = typos.get(key) ?? 0;
      const tries = Math.min(1 + int(2), RULES[r]!.k - 1 - n);
      for (let i = 0; i < tries; i++) {
        sshd(t, host, pid, `Failed password for ${user} from ${ip} port ${port} ssh2`);
        t += 1000 + int(4000);
      }
      if (tries > 0) typos.set(key, n + tries);
    } else if (roll < 0.14) {
      sshd(t, host, pid, `Connection closed by ${ip} port ${port} [preauth]`);
      continue;
    }
    const method = rand() < 0.6 ? 'publickey' : 'password';
    sshd(t, host, pid, `Accepted ${method} for ${user} from ${ip} port ${port} ssh2${method === 'publickey' ? `: ED25519 SHA256:${(u * 2654435761).toString(36)}x${u}` : ''}`);
    sshd(t, host, pid, `pam_unix(sshd:session): session opened for user ${user}(uid=${1000 + u}) by (uid=0)`);
    if (rand() < 0.3) {
      const ts = t + 5_000 + int(600_000);
      out.push({ t: ts, s: `${bsdTime(ts)} ${host} sudo: ${user} : TTY=pts/${int(8)} ; PWD=/home/${user} ; USER=root ; COMMAND=${pick(SUDO_COMMANDS)}` });
      out.push({ t: ts, s: `${bsdTime(ts)} ${host} sudo: pam_unix(sudo:session): session opened for user root(uid=0) by ${user}(uid=${1000 + u})` });
    }
    const te = t + 60_000 + int(3_000_000);
    sshd(te, host, pid, `Received disconnect from ${ip} port ${port}:11: disconnected by user`);
    sshd(te, host, pid, `Disconnected from user ${user} ${ip} port ${port}`);
    sshd(te, host, pid, `pam_unix(sshd:session): session closed for user ${user}`);
  }
  // The last benign session may overshoot N by a few lines: trim them (attack lines come first,
  // and fewer benign lines can only lower the benign failure counts).
  if (out.length > N) out.length = Math.max(N, attackLines);
  out.sort((a, b) => a.t - b.t);
  const failures = out.reduce((n, l) => n + (FAILED_LOGIN.test(l.s) ? 1 : 0), 0);
  return { lines: out.map((l) => l.s), expected, failures };
}

// ---- rules -------------------------------------------------------------------------------------

const uuid = (kind: number, r: number): string => `0c0ffee${kind}-0000-4000-8000-${r.toString(16).padStart(12, '0')}`;
const ruleName = (r: number): string => `g${String(r).padStart(4, '0')}`;
const yamlList = (xs: string[]): string => xs.map((x) => `\n        - '${x}'`).join('');
const spanText = (s: number): string => (s % 60 === 0 ? `${s / 60}m` : `${s}s`);

function sigmaRules(r: number): string {
  const { k, t } = RULES[r]!;
  const name = ruleName(r);
  return `title: SSH Login Failed for Group ${name}
id: ${uuid(1, r)}
name: ssh_failed_${name}
status: test
description: A failed SSH login for one of the users of group ${name}.
author: vigil-bench
date: 2026-11-02
logsource:
  product: linux
  service: sshd
detection:
  selection:
    event.action: ssh_login
    event.outcome: failure
    user.name:${yamlList(GROUP_USERS[r]!)}
  condition: selection
level: low
---
title: SSH Brute Force on Group ${name}
id: ${uuid(2, r)}
name: ssh_brute_${name}
status: test
description: ${k} or more failed SSH logins for group ${name} from one address within ${spanText(t)}.
author: vigil-bench
date: 2026-11-02
tags:
  - attack.credential-access
  - attack.t1110
correlation:
  type: event_count
  rules:
    - ssh_failed_${name}
  group-by:
    - source.ip
  timespan: ${spanText(t)}
  condition:
    gte: ${k}
level: medium
`;
}

const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function secRules(prefilter: boolean): string {
  const parts: string[] = [];
  if (prefilter) {
    parts.push(`type=Suppress
ptype=NRegExp
pattern=sshd\\[\\d+\\]: Failed \\S+ for
desc=not a failed sshd login
`);
  }
  for (let r = 0; r < R; r++) {
    const { k, t } = RULES[r]!;
    parts.push(`type=SingleWithThreshold
ptype=RegExp
pattern=sshd\\[\\d+\\]: Failed \\S+ for (?:invalid user )?(?:${GROUP_USERS[r]!.map(reEscape).join('|')}) from ([\\d.]+) port \\d+ ssh2$
desc=${r} $1
action=write - %s
window=${t}
thresh=${k}
`);
  }
  return parts.join('\n');
}

// ---- run ---------------------------------------------------------------------------------------

interface SecRun {
  seconds: number;
  alerts: Set<string>;
  lines: number;
  timedOut: boolean;
}

const SEC_ARGS = ['--notail', '--nochildterm'];

/** Runs `sec` over the log until EOF; wall time of the whole process, and the alert lines it wrote. */
function runSec(confPath: string, logPath: string): SecRun {
  const started = performance.now();
  const result = spawnSync('sec', [`--conf=${confPath}`, `--input=${logPath}`, ...SEC_ARGS], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: SEC_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { seconds, alerts: new Set(), lines: 0, timedOut: true };
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`sec exited with ${result.status ?? result.signal}: ${result.stderr.slice(0, 2000)}`);
  const out = result.stdout.split('\n').filter(Boolean);
  return { seconds, alerts: new Set(out), lines: out.length, timedOut: false };
}

function secVersion(): string | null {
  const result = spawnSync('sec', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error || result.status !== 0) return null;
  return /SEC \(Simple Event Correlator\) (\S+)/.exec(result.stdout)?.[1] ?? result.stdout.split('\n')[0]!.trim();
}

const diff = (a: Set<string>, b: Set<string>): number => {
  let n = 0;
  for (const x of a) if (!b.has(x)) n++;
  return n;
};

function main(dir: string): void {
  // The log and the rules.
  let started = performance.now();
  const { lines, expected, failures } = generate();
  const events = lines.length;
  const logPath = join(dir, 'auth.log');
  writeFileSync(logPath, `${lines.join('\n')}\n`);
  lines.length = 0;
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  for (let r = 0; r < R; r++) writeFileSync(join(rulesDir, `${ruleName(r)}.yml`), sigmaRules(r));
  const secFlat = join(dir, 'flat.sec');
  const secTuned = join(dir, 'tuned.sec');
  writeFileSync(secFlat, secRules(false));
  writeFileSync(secTuned, secRules(true));
  const genSeconds = (performance.now() - started) / 1000;

  // Vigil: rules loaded and compiled (timed alone), then the file read, every line normalised,
  // given an id and input, and run through RuleSet.process; flush at the end. One core.
  started = performance.now();
  const set = RuleSet.load({ paths: [rulesDir] });
  const loadSeconds = (performance.now() - started) / 1000;
  if (set.rejections.length > 0) throw new Error(`rules rejected: ${set.rejections.slice(0, 3).map((x) => `${x.file}: ${x.reason}`).join('; ')}`);
  const ruleOf = new Map<string, number>();
  for (let r = 0; r < R; r++) ruleOf.set(uuid(2, r), r);

  const input = { type: 'file', name: 'auth.log', address: logPath };
  const receivedAt = new Date(DAY_START + DAY_MS);
  const vigilAlerts = new Set<string>();
  let vigilAlertCount = 0;
  let otherDetections = 0;
  let normalizeErrors = 0;
  let processed = 0;
  const take = (ds: ReturnType<RuleSet['process']>): void => {
    for (const d of ds) {
      if (!d.correlation) {
        otherDetections++;
        continue;
      }
      vigilAlertCount++;
      vigilAlerts.add(`${ruleOf.get(d.alert.rule.id)} ${String(d.alert.correlation?.group['source.ip'])}`);
    }
  };
  started = performance.now();
  const text = readFileSync(logPath, 'utf8');
  let at = 0;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    const line = text.slice(at, nl);
    at = nl + 1;
    if (line.length === 0) continue;
    const result = normalizeRecord({ kind: 'text', value: line }, { input, receivedAt });
    if (!result.ok) {
      normalizeErrors++;
      continue;
    }
    processed++;
    take(set.process({ ...result.value, id: newId(), input } as VigilEvent));
  }
  take(set.flush());
  const vigilSeconds = (performance.now() - started) / 1000;
  if (processed !== events) throw new Error(`vigil processed ${processed} of ${events} lines (${normalizeErrors} normalisation errors)`);
  const vigilRate = events / vigilSeconds;
  const correlationStats = set.stats().correlation;
  report({
    bench: 'correlation.vigil',
    rules: R,
    events,
    failed_logins: failures,
    events_per_s: Math.round(vigilRate),
    seconds: round(vigilSeconds, 2),
    alerts: vigilAlertCount,
    expected_alerts: expected.size,
    missed: diff(expected, vigilAlerts),
    unexpected: diff(vigilAlerts, expected),
    load_seconds: round(loadSeconds, 2),
    late_dropped: correlationStats?.lateDropped ?? 0,
    groups_evicted: correlationStats?.groupsEvicted ?? 0,
    generate_seconds: round(genSeconds, 2),
  });
  if (otherDetections > 0) throw new Error(`${otherDetections} base-rule alerts were not suppressed`);

  // SEC: the same rules over the same file, in the same run.
  const version = secVersion();
  if (!version) {
    report({ bench: 'correlation.sec', skipped: 'sec not installed (apt-get install sec)' });
    return;
  }
  const empty = join(dir, 'empty.log');
  writeFileSync(empty, '');
  const startup = runSec(secTuned, empty).seconds;
  const tuned = runSec(secTuned, logPath);
  const flat = runSec(secFlat, logPath);
  for (const run of [tuned, flat]) if (run.lines !== run.alerts.size) throw new Error('sec wrote one alert twice');
  const rate = (run: SecRun): number | null => (run.timedOut ? null : events / run.seconds);
  const secRate = rate(tuned);
  const flatRate = rate(flat);
  const timeout = (run: SecRun) => (run.timedOut ? { timed_out_after_s: SEC_TIMEOUT_MS / 1000 } : {});
  report({
    bench: 'correlation.sec',
    rules: R,
    events,
    events_per_s: secRate === null ? null : Math.round(secRate),
    seconds: round(tuned.seconds, 2),
    alerts: tuned.timedOut ? null : tuned.lines,
    ...(tuned.timedOut ? {} : { missed: diff(expected, tuned.alerts), unexpected: diff(tuned.alerts, expected) }),
    ...timeout(tuned),
    flat_events_per_s: flatRate === null ? null : Math.round(flatRate),
    flat_seconds: round(flat.seconds, 2),
    flat_alerts: flat.timedOut ? null : flat.lines,
    ...(flat.timedOut ? { flat_timed_out_after_s: SEC_TIMEOUT_MS / 1000 } : {}),
    startup_seconds: round(startup, 2),
    version,
    command: `sec --conf=RULES --input=auth.log ${SEC_ARGS.join(' ')}`,
  });
  // A run that timed out is slower than its timeout: its rate is an upper bound, the ratio a lower bound.
  const bound = (run: SecRun, r: number | null): number => r ?? events / run.seconds;
  const best = Math.max(bound(tuned, secRate), bound(flat, flatRate));
  const same = (run: SecRun): boolean => !run.timedOut && diff(vigilAlerts, run.alerts) === 0 && diff(run.alerts, vigilAlerts) === 0;
  const agree = same(tuned) && same(flat);
  report({
    bench: 'correlation.compare',
    rules: R,
    events,
    failed_login_share: round(failures / events, 3),
    ratio_to_sec: round(vigilRate / best, 1),
    ratio_to_sec_flat: round(vigilRate / bound(flat, flatRate), 1),
    alerts_agree: agree,
    goal: '>= 10x SEC at >= 100 rules',
    met: R >= 100 && vigilRate / best >= 10,
    note:
      'SEC windows run on the wall clock (time(2) when it reads a line, not the line timestamp; it has no option to change that), Vigil windows on event time. ' +
      'The log is built so both give the same alerts: each attack pair (rule, attacker IP) has one burst of K..2K-1 failures within T and nothing else all day, ' +
      'near misses have K-1, and every benign (rule, IP) pair has fewer than K failures over the whole day. ' +
      'ratio_to_sec is against the faster SEC config: tuned = a leading Suppress rule drops lines that are not failed sshd logins, so its rate depends on failed_login_share; ' +
      'flat = the literal one SingleWithThreshold rule per correlation. SEC seconds include its start-up (startup_seconds, same config over an empty file); ' +
      'Vigil seconds include reading the file, normalising every line, ids and flush, not rule loading (load_seconds).' +
      (tuned.timedOut || flat.timedOut ? ' A SEC run timed out: its rate is at most events/seconds and the ratio to it at least the figure given.' : '') +
      (agree || tuned.timedOut || flat.timedOut ? '' : ' Alert sets differ: see missed/unexpected.'),
  });
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-correlation-'));
try {
  main(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
