/**
 * Triage benchmark: replays one generated noisy day of alerts through the triage engine and
 * through TriageService (engine + SQLite commit), and, when Debian's `prometheus-alertmanager`
 * is installed, compares alert intake with Alertmanager's in the same run.
 *
 * The day (deterministic, seeded; 24 h from Tuesday 2026-10-06 00:00 UTC): 500 hosts (400
 * workstations `ws-0001`.., 100 servers `srv-dc-01`, `srv-db-01`, `srv-app-01`...), an inventory
 * (criticality mostly 1-3, domain controllers, databases, payment and admin hosts 4-5; 14 business
 * services with tiers and dependencies; some workstations missing from it, as in real life), and
 * 50+ noisy rules:
 *   - Sigma-like detections (source `sigma`, built with `buildAlert` as the detector does, so the
 *     fingerprint is rule + host + user): many discovery rules (whoami, net group, systeminfo...),
 *     noisy admin and software-deployment tools (PsExec, encoded PowerShell, WMIC, logon scripts,
 *     Defender exclusions...), a Kerberos RC4 rule on the domain controllers fed by a legacy
 *     application, a locked-out backup service account, EDR and backup agents touching LSASS,
 *     a vulnerability scanner, travellers' VPN logins; informational to high;
 *   - operations alerts in Alertmanager's shape (labels alertname, instance, job, severity,
 *     service; no ATT&CK), turned into alerts by Vigil's own webhook parser, re-sent every 5-15
 *     minutes while firing and resolved at the end, a few `critical`.
 * With: duplicates (the same rule on the same host and user all day), flapping (a blackbox probe
 * and a CI host's load toggling every few minutes for hours), a burst (a software deployment:
 * encoded PowerShell on 300 workstations within 5 minutes), a maintenance storm (patching of
 * srv-app-01..09 at 02:00-03:00, announced by a silence created beforehand, as an operator would;
 * a few recovery alerts arrive after it ends).
 * Planted: 5 true incidents of 3-4 stages each (initial access → execution → persistence →
 * command-and-control / exfiltration...), every alert `medium`, each stage its own rule (two of
 * these rules also fire benignly elsewhere during the day, as they do in real life), on one host
 * and its user over 1-3 hours at random times, on random hosts (three workstations, one web
 * server, one anywhere).
 *
 * Figures: alerts in, incidents out, notifications out (after moving event time past the end of
 * the day so pending notifications go out), compression, the rank of each planted incident in
 * the queue (open incidents by score, highest first); engine-only throughput (best of 3 fresh
 * engines, batches of 1000); end-to-end throughput through TriageService with SQLite (batches of
 * 1000, commits included). Why planted incidents rank where they do goes to stderr: each planted
 * incident's score explanation, the top of the queue, what service inhibition muted, the most
 * notified incidents, scores whose rarity was frozen when they were computed, and (diagnostic
 * only) the planted ranks of the same day with `triage.service_inhibition` off.
 *
 * Alertmanager comparison (only with `prometheus-alertmanager` or `alertmanager` on the PATH):
 * three loads of the same alerts, one alert per request, 100 new alerts per request, the same 100
 * alerts in every request; Alertmanager gets `POST /api/v2/alerts`, Vigil (`vigil serve`) its
 * Alertmanager webhook endpoint; 4 keep-alive clients each. Not the same durability: Alertmanager
 * answers once the alerts are in memory (it snapshots every 15 minutes), Vigil once they are
 * committed to SQLite with synchronous=full.
 *
 * Environment: BENCH_TRIAGE_INTAKE (alerts per batched load, default 10000),
 * BENCH_TRIAGE_INTAKE_SINGLE (alerts in the one-per-request load, default 3000),
 * BENCH_TRIAGE_PARTS (default `day,e2e,intake`; the noisy day through the engine always runs),
 * BENCH_TRIAGE_SEED (another generated day), BENCH_TRIAGE_RUNS (engine runs, default 3).
 * Run: `npm run bench -- triage`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type TriageConfig } from '../src/config/index.ts';
import { OPEN_STATUSES, type AlertLevel, type Asset, type Incident, type IncomingAlert, type Service, type Silence, type VigilEvent } from '../src/core/index.ts';
import { attackFromTags, buildAlert } from '../src/detect/index.ts';
import { slaFor, type SlaTargets } from '../src/incidents/sla.ts';
import { seededRandom, silentLogger } from '../src/lib/index.ts';
import { InventoryIndex, TriageEngine, alertmanagerFingerprint, parseAlertmanagerWebhook, type TriageOutput } from '../src/triage/index.ts';
import { openLocal } from '../src/app/local.ts';
import { TriageService } from '../src/app/triage.ts';
import { freePort, report, startServer } from './lib.ts';

const DAY_START = Date.UTC(2026, 9, 6); // Tuesday
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY_END = DAY_START + 24 * HOUR;
const BATCH = 1000;
const GOAL_ALERTS_PER_S = 20_000;
const intEnv = (name: string, fallback: number, min: number): number => {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) && v >= min ? v : fallback;
};
const INTAKE_ALERTS = intEnv('BENCH_TRIAGE_INTAKE', 10_000, 100);
const INTAKE_SINGLE = intEnv('BENCH_TRIAGE_INTAKE_SINGLE', 3000, 10);
const INTAKE_CLIENTS = 4;
/** Which parts run: `day` (the noisy day through the engine), `e2e` (through TriageService and SQLite), `intake` (Alertmanager comparison). */
const PARTS = new Set((process.env.BENCH_TRIAGE_PARTS ?? 'day,e2e,intake').split(',').map((p) => p.trim()));
const round = (x: number, digits = 0): number => Math.round(x * 10 ** digits) / 10 ** digits;
const iso = (ms: number): string => new Date(ms).toISOString();
const hhmm = (ms: number): string => iso(ms).slice(11, 16);

// ---- deterministic randomness --------------------------------------------------------------------

const SEED = intEnv('BENCH_TRIAGE_SEED', 0x5eed_7a1e, 0);
const rand = seededRandom(SEED);
const between = (lo: number, hi: number): number => lo + rand() * (hi - lo);
const intBetween = (lo: number, hi: number): number => Math.floor(between(lo, hi + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const chance = (p: number): boolean => rand() < p;
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
/** A Zipf-like chooser over a (shuffled) pool: a few members come up again and again. */
function zipf<T>(pool: readonly T[], s = 1.1): () => T {
  const items = shuffled(pool);
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < items.length; i++) cumulative.push((total += 1 / (i + 1) ** s));
  return () => {
    const x = rand() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return items[lo]!;
  };
}

// Activity over the day (hour of day → relative rate, 0..1).
type Profile = (hour: number) => number;
const OFFICE: Profile = (h) => (h >= 7.5 && h < 18.5 ? 1 : h >= 6.5 && h < 21 ? 0.35 : 0.06);
const FLAT: Profile = () => 1;
const NIGHTLY: Profile = (h) => (h >= 0.5 && h < 5.5 ? 1 : 0.08);
/** `n` event times (ms) over the day, following the profile (rejection sampling). */
function timesOf(n: number, profile: Profile, from = DAY_START, to = DAY_END): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const t = between(from, to);
    if (rand() < profile(((t - DAY_START) / HOUR) % 24)) out.push(Math.floor(t));
  }
  return out.sort((a, b) => a - b);
}

// ---- the fleet and its inventory -----------------------------------------------------------------

interface Host {
  name: string;
  role: string;
  criticality: number;
  services: string[];
  owner: string | null;
  inInventory: boolean;
  os: 'windows' | 'linux';
}

const FIRST = ['anna', 'ben', 'carla', 'david', 'eva', 'felix', 'greta', 'hugo', 'ida', 'jonas', 'karin', 'lars', 'mia', 'nils', 'olga', 'paul', 'rosa', 'sven', 'tina', 'uwe', 'vera', 'walter', 'yara', 'zoe', 'marek', 'sofia', 'tomas', 'lena', 'omar', 'priya'];
const LAST = ['nowak', 'schmidt', 'meyer', 'larsen', 'dubois', 'rossi', 'garcia', 'novak', 'berg', 'jansen', 'kowalski', 'weber', 'fischer', 'moreau', 'silva', 'costa', 'horvat', 'nagy', 'olsen', 'petrov'];
const employees: string[] = [];
for (const used = new Set<string>(); employees.length < 400; ) {
  const name = `${pick(FIRST)}.${pick(LAST)}`;
  const unique = used.has(name) ? `${name}${intBetween(2, 9)}` : name;
  if (used.has(unique)) continue;
  used.add(unique);
  employees.push(unique);
}
const ADMINS = ['adm.larsen', 'adm.kowalski', 'adm.moreau', 'adm.weber', 'adm.silva', 'adm.nagy'];

const SERVICES: Array<{ name: string; tier: number; depends_on: string[] }> = [
  { name: 'identity', tier: 1, depends_on: [] },
  { name: 'orders-db', tier: 1, depends_on: [] },
  { name: 'cache', tier: 2, depends_on: [] },
  { name: 'payments', tier: 1, depends_on: ['orders-db', 'identity'] },
  { name: 'webshop', tier: 1, depends_on: ['payments', 'orders-db', 'cache', 'identity'] },
  { name: 'api-gateway', tier: 2, depends_on: ['identity'] },
  { name: 'analytics', tier: 3, depends_on: ['orders-db'] },
  { name: 'k8s-platform', tier: 2, depends_on: [] },
  { name: 'ci-cd', tier: 3, depends_on: ['k8s-platform'] },
  { name: 'file-shares', tier: 3, depends_on: ['identity'] },
  { name: 'email', tier: 2, depends_on: ['identity'] },
  { name: 'vpn', tier: 2, depends_on: ['identity'] },
  { name: 'backup', tier: 3, depends_on: [] },
  { name: 'monitoring', tier: 4, depends_on: [] },
];

const hosts: Host[] = [];
for (let i = 1; i <= 400; i++) {
  const name = `ws-${String(i).padStart(4, '0')}`;
  const it = i <= 12;
  const exec = i > 380;
  const criticality = exec ? 3 : it ? 2 : chance(0.1) ? 2 : 1;
  hosts.push({ name, role: it ? 'ws-it' : i <= 80 ? 'ws-dev' : exec ? 'ws-exec' : 'ws', criticality, services: [], owner: employees[i - 1]!, inInventory: it || exec || chance(0.9), os: 'windows' });
}
const server = (prefix: string, from: number, to: number, criticality: number, services: string[], os: Host['os'], role = prefix) => {
  for (let i = from; i <= to; i++) hosts.push({ name: `${prefix}-${String(i).padStart(2, '0')}`, role, criticality, services, owner: null, inInventory: true, os });
};
server('srv-dc', 1, 3, 5, ['identity'], 'windows');
server('srv-db', 1, 4, 5, ['orders-db'], 'linux');
server('srv-db', 5, 6, 3, ['analytics'], 'linux', 'srv-db-analytics');
server('srv-app', 1, 14, 3, ['webshop'], 'linux');
server('srv-app', 15, 16, 4, ['payments'], 'linux', 'srv-app-payments');
server('srv-app', 17, 20, 3, ['api-gateway'], 'linux', 'srv-app-api');
server('srv-web', 1, 12, 3, ['webshop'], 'linux');
server('srv-cache', 1, 6, 2, ['cache'], 'linux');
server('srv-k8s', 1, 30, 2, ['k8s-platform'], 'linux');
server('srv-ci', 1, 6, 2, ['ci-cd'], 'linux');
server('srv-file', 1, 4, 3, ['file-shares'], 'windows');
server('srv-mail', 1, 2, 3, ['email'], 'linux');
server('srv-vpn', 1, 2, 4, ['vpn'], 'linux');
server('srv-adm', 1, 2, 4, [], 'windows');
server('srv-bkp', 1, 2, 3, ['backup'], 'linux');
server('srv-mon', 1, 2, 2, ['monitoring'], 'linux');
server('srv-log', 1, 3, 2, ['monitoring'], 'linux');
if (hosts.length !== 500) throw new Error(`fleet has ${hosts.length} hosts`);
const byName = new Map(hosts.map((h) => [h.name, h]));
const role = (...roles: string[]) => hosts.filter((h) => roles.includes(h.role));
const WS = hosts.filter((h) => h.role.startsWith('ws'));
const WS_IT = role('ws-it');
const WS_DEV = role('ws-dev');
const SERVERS = hosts.filter((h) => !h.role.startsWith('ws'));
const WIN_SERVERS = SERVERS.filter((h) => h.os === 'windows');
const LINUX_SERVERS = SERVERS.filter((h) => h.os === 'linux');

const inventoryTime = iso(DAY_START - 30 * 24 * HOUR);
const assets: Asset[] = hosts
  .filter((h) => h.inInventory)
  .map((h) => ({
    name: h.name,
    kind: h.role.startsWith('ws') ? 'workstation' : 'server',
    criticality: h.criticality,
    tags: [h.os, h.role],
    services: h.services,
    aliases: [`${h.name}.corp.example.com`],
    created_at: inventoryTime,
    updated_at: inventoryTime,
  }));
const services: Service[] = SERVICES.map((s) => ({ ...s, aliases: [], created_at: inventoryTime, updated_at: inventoryTime }));

// ---- alert builders ------------------------------------------------------------------------------

interface Timed {
  t: number;
  alert: IncomingAlert;
  planted?: number;
}
const timeline: Timed[] = [];
let eventSeq = 0;

interface SigmaRule {
  id: string;
  title: string;
  level: AlertLevel;
  tags: string[];
}
const attackCache = new Map<string, ReturnType<typeof attackFromTags>>();
const attackOf = (rule: SigmaRule) => attackCache.get(rule.id) ?? attackCache.set(rule.id, attackFromTags(rule.tags)).get(rule.id)!;

/** A Sigma detection on one event, exactly as the detector builds it (fingerprint: rule + host + user). */
function sigma(rule: SigmaRule, t: number, host: string | null, user: string | null, ips: string[] = []): IncomingAlert {
  const event = {
    id: `evt-${++eventSeq}`,
    '@timestamp': iso(t),
    ...(host ? { host: { name: host } } : {}),
    ...(user ? { user: { name: user } } : {}),
    ...(ips.length ? { destination: { ip: ips[0] } } : {}),
  } as unknown as VigilEvent;
  const built = buildAlert({ source: 'sigma', rule: { id: rule.id, title: rule.title, level: rule.level, tags: rule.tags }, events: [event], attack: attackOf(rule), first: t, last: t });
  const { id: _id, created_at: _c, suppressed_by: _s, ...incoming } = built;
  return incoming;
}
const emit = (t: number, alert: IncomingAlert, planted?: number) => timeline.push(planted === undefined ? { t, alert } : { t, alert, planted });

interface OpsRule {
  alertname: string;
  severity: 'critical' | 'warning' | 'info';
  summary: string;
  job: string;
}
/** One Alertmanager alert as its webhook delivers it, through Vigil's own webhook parser. */
function ops(rule: OpsRule, at: number, host: string, startsAt: number, status: 'firing' | 'resolved', extra: Record<string, string> = {}): IncomingAlert {
  const h = byName.get(host);
  const labels: Record<string, string> = { alertname: rule.alertname, instance: `${host}:9100`, job: rule.job, severity: rule.severity, ...(h?.services[0] ? { service: h.services[0] } : {}), ...extra };
  const body = {
    version: '4',
    status,
    receiver: 'vigil',
    groupLabels: { alertname: rule.alertname },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.corp.example.com:9093',
    alerts: [{ status, labels, annotations: { summary: rule.summary }, startsAt: iso(startsAt), endsAt: status === 'resolved' ? iso(at) : '0001-01-01T00:00:00Z', generatorURL: `http://prometheus.corp.example.com:9090/graph?g0.expr=${rule.alertname}` }],
  };
  return parseAlertmanagerWebhook(body, new Date(at))[0]!;
}
/**
 * A firing episode from `start` to `end`: Alertmanager's webhook re-sends the firing alert whenever
 * its group changes (every 5-15 minutes here), then sends it resolved.
 */
function episode(rule: OpsRule, host: string, start: number, end: number, extra: Record<string, string> = {}, resend: [number, number] = [5, 15]): void {
  emit(start, ops(rule, start, host, start, 'firing', extra));
  for (let t = start + between(resend[0], resend[1]) * MIN; t < end; t += between(resend[0], resend[1]) * MIN) emit(Math.floor(t), ops(rule, Math.floor(t), host, start, 'firing', extra));
  if (end < DAY_END) emit(end, ops(rule, end, host, start, 'resolved', extra));
}

// ---- noise: Sigma-like detections ------------------------------------------------------------------

const S = (id: string, title: string, level: AlertLevel, tags: string[]): SigmaRule => ({ id, title, level, tags: tags.map((t) => `attack.${t}`) });
const R = {
  whoami: S('win_whoami_execution', 'Whoami Execution', 'low', ['discovery', 't1033']),
  netGroup: S('win_net_group_domain_enum', 'Net.exe Domain Group Enumeration', 'low', ['discovery', 't1069.002']),
  systeminfo: S('win_systeminfo_execution', 'System Information Discovery via systeminfo', 'informational', ['discovery', 't1082']),
  nltest: S('win_nltest_trust_discovery', 'Nltest Domain Trust Discovery', 'medium', ['discovery', 't1482']),
  netView: S('win_net_view_share_enum', 'Network Share Enumeration via net view', 'low', ['discovery', 't1135']),
  ipconfig: S('win_ipconfig_all', 'Network Configuration Discovery via ipconfig /all', 'informational', ['discovery', 't1016']),
  regQuery: S('win_reg_query_installed_software', 'Registry Query of Installed Software', 'informational', ['discovery', 't1012']),
  tasklist: S('win_tasklist_execution', 'Process Discovery via tasklist', 'informational', ['discovery', 't1057']),
  getAdUser: S('win_ps_get_aduser_enum', 'AD Account Enumeration via PowerShell', 'low', ['discovery', 't1087.002']),
  portScan: S('net_internal_port_scan', 'Internal Port Scan', 'medium', ['discovery', 't1046']),
  uname: S('lnx_system_recon_commands', 'Linux System Reconnaissance Commands', 'informational', ['discovery', 't1082']),
  psexec: S('win_psexec_service_install', 'PsExec Service Installation', 'medium', ['execution', 't1569.002']),
  encodedPs: S('win_ps_encoded_command', 'Encoded PowerShell Command Line', 'medium', ['execution', 't1059.001']),
  wmic: S('win_wmic_remote_process', 'WMIC Remote Process Creation', 'low', ['execution', 't1047']),
  wscript: S('win_wscript_vbs_execution', 'Script Host Executing VBScript', 'low', ['execution', 't1059.005']),
  mshta: S('win_mshta_execution', 'MSHTA Execution', 'medium', ['defense-evasion', 't1218.005']),
  certutil: S('win_certutil_download', 'Certutil Used to Download a File', 'medium', ['command-and-control', 't1105']),
  curlSh: S('lnx_curl_pipe_shell', 'Curl Output Piped to Shell', 'low', ['execution', 't1059.004']),
  defenderExcl: S('win_defender_exclusion_added', 'Windows Defender Exclusion Added', 'medium', ['defense-evasion', 't1562.001']),
  logCleared: S('win_security_log_cleared', 'Security Event Log Cleared', 'high', ['defense-evasion', 't1070.001']),
  dllSideload: S('win_unsigned_dll_signed_binary', 'Unsigned DLL Loaded by Signed Binary', 'low', ['defense-evasion', 't1574.002']),
  rundllNoArgs: S('win_rundll32_no_args', 'Rundll32 Without Command Line Arguments', 'medium', ['defense-evasion', 't1218.011']),
  kerbRc4: S('win_kerberos_tgs_rc4', 'Kerberos Service Ticket Requested with RC4', 'medium', ['credential-access', 't1558.003']),
  failedLogons: S('win_multiple_failed_logons', 'Multiple Failed Logons for One Account', 'low', ['credential-access', 't1110']),
  lsassAccess: S('win_lsass_memory_access', 'LSASS Process Memory Access', 'high', ['credential-access', 't1003.001']),
  rdp: S('win_rdp_workstation_to_server', 'RDP Logon from Workstation to Server', 'low', ['lateral-movement', 't1021.001']),
  adminShare: S('win_admin_share_access', 'Admin Share Access', 'low', ['lateral-movement', 't1021.002']),
  newService: S('win_new_service_installed', 'New Service Installed', 'low', ['persistence', 't1543.003']),
  schtaskProfile: S('win_schtask_user_profile_path', 'Scheduled Task Executing from User Profile', 'medium', ['persistence', 't1053.005']),
  vpnCountry: S('vpn_login_unusual_country', 'VPN Login from Unusual Country', 'medium', ['initial-access', 't1078']),
  macroMail: S('mail_macro_attachment_delivered', 'Email with Macro Attachment Delivered', 'low', ['initial-access', 't1566.001']),
  nrdDns: S('dns_newly_registered_domain', 'DNS Query to Newly Registered Domain', 'low', ['command-and-control', 't1071.004']),
  bigUpload: S('net_large_outbound_transfer', 'Large Outbound Transfer', 'low', ['exfiltration', 't1048']),
  massRename: S('lnx_mass_file_rename', 'Mass File Rename', 'high', ['impact', 't1486']),
  shutdown: S('win_system_shutdown_reboot', 'System Shutdown or Reboot', 'informational', ['impact', 't1529']),
  downloadCradle: S('win_ps_download_cradle', 'PowerShell Download Cradle', 'medium', ['execution', 't1059.001']),
};

const wsUser = (h: Host, system = 0.1) => (chance(system) ? 'SYSTEM' : h.owner!);
const adminOn = (h: Host) => (h.owner && h.role === 'ws-it' ? h.owner : pick(ADMINS));
const externalIp = () => `${pick([185, 193, 45, 91, 104, 146])}.${intBetween(1, 254)}.${intBetween(1, 254)}.${intBetween(1, 254)}`;

/** A rule firing `n` times over the day on hosts drawn (Zipf) from a pool. */
function sporadic(rule: SigmaRule, n: number, pool: Host[], profile: Profile, who: (h: Host) => string | null, s = 1.1, ips?: (h: Host) => string[]): void {
  const next = zipf(pool, s);
  for (const t of timesOf(n, profile)) {
    const h = next();
    emit(t, sigma(rule, t, h.name, who(h), ips ? ips(h) : []));
  }
}

sporadic(R.whoami, 1600, [...WS, ...role('srv-adm')], OFFICE, (h) => (h.role === 'srv-adm' ? pick(ADMINS) : wsUser(h)), 1.0);
sporadic(R.netGroup, 300, [...WS_IT, ...role('srv-adm'), ...WS.slice(12, 60)], OFFICE, (h) => (h.role === 'srv-adm' ? pick(ADMINS) : h.owner));
sporadic(R.systeminfo, 800, [...WS, ...WIN_SERVERS], FLAT, (h) => (h.owner ? wsUser(h, 0.5) : 'SYSTEM'), 0.8);
sporadic(R.nltest, 40, [...role('srv-adm'), ...WS_IT.slice(0, 4)], OFFICE, (h) => adminOn(h), 1.2);
sporadic(R.netView, 250, WS, OFFICE, (h) => h.owner, 1.0);
sporadic(R.ipconfig, 1100, [...WS, ...WIN_SERVERS], OFFICE, (h) => (h.owner ? h.owner : pick(ADMINS)), 0.9);
sporadic(R.regQuery, 400, [...WS, ...WIN_SERVERS], FLAT, () => 'SYSTEM', 0.7);
sporadic(R.tasklist, 500, [...WS, ...WIN_SERVERS], OFFICE, (h) => (h.owner ? h.owner : pick(ADMINS)), 0.9);
sporadic(R.getAdUser, 120, [...WS_IT, ...role('srv-adm'), ...WS.slice(100, 110)], OFFICE, (h) => adminOn(h));
sporadic(R.uname, 400, [...role('srv-k8s', 'srv-ci'), ...LINUX_SERVERS], FLAT, () => pick(['svc-deploy', 'svc-monitor', 'root']), 0.9);
sporadic(R.psexec, 150, [...WIN_SERVERS, ...WS_IT], OFFICE, () => pick(ADMINS), 1.0);
sporadic(R.encodedPs, 250, [...WS, ...WIN_SERVERS], FLAT, (h) => (h.owner ? pick(['SYSTEM', 'svc-sccm']) : 'svc-sccm'), 0.9);
sporadic(R.wmic, 150, [...WIN_SERVERS, ...WS_IT], OFFICE, () => pick([...ADMINS, 'svc-sccm']));
sporadic(R.mshta, 15, WS.slice(200, 215), OFFICE, (h) => h.owner, 1.3); // an old HR application
sporadic(R.certutil, 12, [...role('srv-adm'), ...WS_IT.slice(0, 3)], OFFICE, (h) => adminOn(h), 1.2, () => [externalIp()]);
sporadic(R.curlSh, 300, [...role('srv-ci'), ...role('srv-k8s')], FLAT, () => 'svc-deploy', 0.8);
sporadic(R.defenderExcl, 60, WS_DEV, OFFICE, (h) => h.owner, 1.1);
sporadic(R.logCleared, 8, WIN_SERVERS, NIGHTLY, () => 'svc-sccm', 1.0);
sporadic(R.dllSideload, 500, [...WS, ...WIN_SERVERS], OFFICE, (h) => (h.owner ? wsUser(h, 0.3) : 'SYSTEM'), 1.0);
sporadic(R.rundllNoArgs, 50, WS, OFFICE, (h) => h.owner, 1.2);
sporadic(R.failedLogons, 2000, [...WS, ...WIN_SERVERS], OFFICE, (h) => (h.owner ? h.owner : pick(employees)), 0.9);
sporadic(R.lsassAccess, 30, [...role('srv-bkp', 'srv-db', 'srv-dc', 'srv-file')], NIGHTLY, () => 'SYSTEM', 1.0); // EDR and backup agents
sporadic(R.rdp, 400, [...WIN_SERVERS, ...role('srv-adm')], OFFICE, () => pick([...ADMINS, ...employees.slice(0, 12)]), 0.8);
sporadic(R.adminShare, 300, [...WIN_SERVERS, ...WS], OFFICE, () => pick([...ADMINS, 'svc-sccm', 'svc-backup']), 0.9);
sporadic(R.newService, 200, [...WS, ...WIN_SERVERS], FLAT, () => 'SYSTEM', 0.9);
sporadic(R.schtaskProfile, 80, WS, OFFICE, (h) => h.owner, 1.0); // Teams and Zoom updaters
sporadic(R.vpnCountry, 25, WS, FLAT, (h) => h.owner, 1.1, () => [externalIp()]);
sporadic(R.nrdDns, 2200, WS, OFFICE, (h) => wsUser(h, 0.2), 0.9);
sporadic(R.bigUpload, 60, [...role('srv-bkp'), ...WS_DEV], FLAT, (h) => (h.owner ? h.owner : 'svc-backup'), 1.0, () => [`52.${intBetween(0, 250)}.${intBetween(0, 250)}.${intBetween(1, 254)}`]);
sporadic(R.massRename, 20, role('srv-ci'), FLAT, () => 'svc-deploy', 1.0);
sporadic(R.shutdown, 40, [...WS, ...WIN_SERVERS], FLAT, () => 'SYSTEM', 0.8);
sporadic(R.downloadCradle, 30, WS_DEV, OFFICE, (h) => h.owner, 1.1); // chocolatey, scoop

// The morning logon script (VBScript) on most workstations.
for (const h of shuffled(WS).slice(0, 350)) {
  const t = Math.floor(DAY_START + between(7.2, 9.6) * HOUR);
  emit(t, sigma(R.wscript, t, h.name, h.owner));
}
// Email gateway: macro attachments delivered (users, no host).
for (const t of timesOf(180, OFFICE)) emit(t, sigma(R.macroMail, t, null, pick(employees)));

// Duplicates: the same rule, host and user all day.
{
  const legacy = 'svc-legacyapp';
  for (const dc of role('srv-dc')) for (let t = DAY_START + intBetween(0, 4) * MIN; t < DAY_END; t += intBetween(1, 3) * MIN) emit(t, sigma(R.kerbRc4, t, dc.name, legacy));
  // The backup service account's password expired at 10:00; its job retries every 2 minutes.
  for (let t = DAY_START + 10 * HOUR; t < DAY_END; t += 2 * MIN) emit(t, sigma(R.failedLogons, t, 'srv-bkp-01', 'svc-backup'));
  // The vulnerability scanner's nightly run.
  for (let t = DAY_START + 1 * HOUR; t < DAY_START + 5 * HOUR; t += intBetween(1, 2) * MIN) emit(t, sigma(R.portScan, t, 'srv-mon-01', 'svc-nessus'));
}
// Burst: a software deployment runs encoded PowerShell on 300 workstations within 5 minutes.
{
  const start = DAY_START + 8 * HOUR + 2 * MIN;
  for (const h of shuffled(WS).slice(0, 300)) {
    const t = Math.floor(start + rand() * 5 * MIN);
    emit(t, sigma(R.encodedPs, t, h.name, 'SYSTEM'));
  }
}

// ---- noise: operations alerts (Alertmanager) ------------------------------------------------------

const O = (alertname: string, severity: OpsRule['severity'], summary: string, job = 'node'): OpsRule => ({ alertname, severity, summary, job });
const OPS = {
  cpu: O('HostHighCpuLoad', 'warning', 'CPU load above 90% for 10 minutes'),
  memory: O('HostOutOfMemory', 'warning', 'Available memory below 10%'),
  disk: O('HostOutOfDiskSpace', 'warning', 'Disk space below 10%'),
  diskFill: O('HostDiskWillFillIn24Hours', 'warning', 'Filesystem predicted to fill within 24 hours'),
  load: O('HostHighLoad', 'warning', 'Load average above number of CPUs'),
  down: O('InstanceDown', 'critical', 'Instance unreachable for 1 minute'),
  target: O('TargetDown', 'warning', 'Scrape target down'),
  crashLoop: O('KubePodCrashLooping', 'warning', 'Pod restarting repeatedly', 'kube-state-metrics'),
  replicas: O('KubeDeploymentReplicasMismatch', 'warning', 'Deployment has not matched the expected replicas', 'kube-state-metrics'),
  pgLag: O('PostgresReplicationLag', 'warning', 'Replication lag above 30 s', 'postgres'),
  pgConns: O('PostgresTooManyConnections', 'critical', 'More than 90% of connections in use', 'postgres'),
  http5xx: O('HttpErrorRateHigh', 'critical', 'HTTP 5xx above 5% of requests', 'nginx'),
  latency: O('HttpLatencyHigh', 'warning', 'p99 latency above 2 s', 'nginx'),
  probe: O('BlackboxProbeFailed', 'critical', 'Health probe failed', 'blackbox'),
  cert: O('SslCertificateExpiringSoon', 'info', 'TLS certificate expires within 14 days', 'blackbox'),
  ntp: O('HostClockSkew', 'warning', 'Clock skew above 50 ms'),
  swap: O('HostSwapIsFillingUp', 'warning', 'Swap above 80%'),
  backup: O('BackupJobFailed', 'warning', 'Nightly backup job failed', 'backup-exporter'),
  raid: O('RaidArrayDegraded', 'critical', 'RAID array degraded'),
  netErrors: O('HostNetworkReceiveErrors', 'warning', 'Network interface receive errors'),
  redis: O('RedisMemoryHigh', 'warning', 'Redis memory above 90%', 'redis'),
  oom: O('ContainerOomKilled', 'warning', 'Container OOM-killed', 'cadvisor'),
};
/** `n` episodes of an ops rule on hosts of a pool, each lasting `minutes` (range). */
function episodes(rule: OpsRule, n: number, pool: Host[], profile: Profile, minutes: [number, number], extra: (h: Host, i: number) => Record<string, string> = () => ({}), s = 1.0): void {
  const next = zipf(pool, s);
  timesOf(n, profile).forEach((t, i) => {
    const h = next();
    episode(rule, h.name, t, Math.floor(t + between(minutes[0], minutes[1]) * MIN), extra(h, i));
  });
}
const K8S = role('srv-k8s');
episodes(OPS.cpu, 150, [...LINUX_SERVERS, ...role('srv-ci')], OFFICE, [10, 60]);
episodes(OPS.memory, 30, LINUX_SERVERS, FLAT, [10, 90]);
episodes(OPS.diskFill, 25, LINUX_SERVERS, FLAT, [30, 240]);
episodes(OPS.load, 100, LINUX_SERVERS, OFFICE, [10, 45]);
episodes(OPS.target, 40, LINUX_SERVERS, FLAT, [2, 20]);
episodes(OPS.crashLoop, 70, K8S, FLAT, [10, 60], (_h, i) => ({ namespace: pick(['shop', 'payments', 'ci', 'monitoring']), pod: `worker-${i % 17}-${(i * 7919) % 100000}` }));
episodes(OPS.replicas, 30, K8S, FLAT, [5, 30], (_h, i) => ({ namespace: 'shop', deployment: `svc-${i % 9}` }));
episodes(OPS.pgLag, 15, role('srv-db'), FLAT, [5, 40]);
episodes(OPS.latency, 40, role('srv-web'), OFFICE, [5, 30]);
episodes(OPS.http5xx, 8, role('srv-web'), OFFICE, [3, 15]);
episodes(OPS.ntp, 20, [...LINUX_SERVERS, ...WIN_SERVERS], FLAT, [10, 120]);
episodes(OPS.swap, 20, LINUX_SERVERS, FLAT, [20, 180]);
episodes(OPS.netErrors, 25, LINUX_SERVERS, FLAT, [5, 60]);
episodes(OPS.redis, 20, role('srv-cache'), OFFICE, [10, 60]);
episodes(OPS.oom, 60, K8S, FLAT, [1, 10], (_h, i) => ({ namespace: pick(['shop', 'ci']), container: `job-${i % 23}` }));
episode(OPS.disk, 'srv-log-02', DAY_START, DAY_END); // all day, re-sent
episode(OPS.raid, 'srv-file-03', DAY_START, DAY_END, {}, [10, 20]);
episode(OPS.cert, 'srv-web-01', DAY_START + 6 * HOUR, DAY_END, {}, [60, 120]);
episode(OPS.backup, 'srv-bkp-01', DAY_START + 3 * HOUR, DAY_START + 12 * HOUR);
episode(OPS.pgConns, 'srv-db-01', DAY_START + 12 * HOUR + 10 * MIN, DAY_START + 12 * HOUR + 35 * MIN, {}, [2, 5]);
episode(OPS.down, 'srv-k8s-17', DAY_START + 15 * HOUR, DAY_START + 15 * HOUR + 40 * MIN, {}, [2, 5]);
// Flapping: a health probe and a CI host's load toggle every few minutes for hours.
function flapping(rule: OpsRule, host: string, from: number, to: number, extra: Record<string, string> = {}): void {
  for (let t = from; t < to; ) {
    const end = Math.floor(t + between(2, 6) * MIN);
    emit(t, ops(rule, t, host, t, 'firing', extra));
    emit(end, ops(rule, end, host, t, 'resolved', extra));
    t = Math.floor(end + between(1, 4) * MIN);
  }
}
flapping(OPS.probe, 'srv-app-18', DAY_START + 13 * HOUR, DAY_START + 16 * HOUR, { target: 'https://api.example.com/healthz' });
flapping(OPS.load, 'srv-ci-03', DAY_START + 9 * HOUR, DAY_START + 14 * HOUR);

// Maintenance storm: patching srv-app-01..09, 02:00-03:00; the silence is created beforehand.
const MAINT_FROM = DAY_START + 2 * HOUR;
const MAINT_TO = DAY_START + 3 * HOUR;
const maintenanceHosts = role('srv-app').filter((h) => /^srv-app-0[1-9]$/.test(h.name));
const maintenanceSilence: Silence = {
  id: '01MAINTENANCESILENCE00000',
  matchers: [{ name: 'host', op: '=~', value: 'srv-app-0[1-9]' }],
  starts_at: iso(MAINT_FROM - 15 * MIN),
  ends_at: iso(MAINT_TO + 15 * MIN),
  created_by: 'ops.oncall',
  comment: 'CHG-4711 monthly patching of the webshop app servers',
  created_at: iso(DAY_START - 2 * HOUR),
  updated_at: iso(DAY_START - 2 * HOUR),
};
for (const h of maintenanceHosts) {
  const reboot = Math.floor(MAINT_FROM + between(5, 40) * MIN);
  for (let t = MAINT_FROM + intBetween(0, 3) * MIN; t < reboot; t += intBetween(1, 3) * MIN) emit(t, sigma(R.newService, t, h.name, 'SYSTEM'));
  for (let i = 0; i < 6; i++) {
    const t = Math.floor(between(MAINT_FROM, reboot));
    emit(t, sigma(pick([R.dllSideload, R.regQuery, R.encodedPs, R.adminShare]), t, h.name, pick(['SYSTEM', 'svc-sccm', 'adm.weber'])));
  }
  emit(reboot, sigma(R.shutdown, reboot, h.name, 'SYSTEM'));
  const back = Math.floor(reboot + between(6, 15) * MIN);
  for (const rule of [OPS.down, OPS.target]) episode(rule, h.name, reboot + 60_000, back, {}, [1, 2]);
  episode(OPS.http5xx, h.name, reboot + 30_000, back + 2 * MIN, {}, [1, 2]);
  episode(OPS.latency, h.name, back, back + between(5, 12) * MIN, {}, [1, 3]);
  for (let i = 0; i < 4; i++) episode(OPS.crashLoop, h.name, reboot + i * 20_000, back + i * MIN, { namespace: 'shop', pod: `shop-${h.name}-${i}` }, [1, 3]);
  // A few hosts are slow to settle: alerts after the silence ends.
  if (chance(0.4)) episode(OPS.ntp, h.name, MAINT_TO + Math.floor(between(16, 40) * MIN), MAINT_TO + Math.floor(between(45, 90) * MIN));
}

// ---- planted incidents ---------------------------------------------------------------------------

const P = (id: string, title: string, tags: string[]): SigmaRule => S(id, title, 'medium', tags);
interface Stage {
  rule: SigmaRule;
  /** Minutes after the previous stage. */
  after: [number, number];
  /** Fires again every few minutes until the end of the attack (beaconing, exfiltration chunks). */
  repeats?: [number, number];
  ip?: boolean;
}
const SCENARIOS: Array<{ name: string; where: () => Host; user: (h: Host) => string; stages: Stage[] }> = [
  {
    name: 'phishing macro → PowerShell cradle → Run key → beaconing',
    where: () => pick(WS.filter((h) => h.role === 'ws')),
    user: (h) => h.owner!,
    stages: [
      { rule: P('pl_office_spawns_script_interpreter', 'Office Application Spawned Script Interpreter', ['initial-access', 't1566.001']), after: [0, 0] },
      { rule: R.downloadCradle, after: [2, 10] },
      { rule: P('pl_run_key_unsigned_appdata', 'Run Key Pointing to Unsigned Binary in AppData', ['persistence', 't1547.001']), after: [10, 40] },
      { rule: P('pl_beaconing_rare_domain', 'Periodic Beaconing to Rare Domain', ['command-and-control', 't1071.001']), after: [15, 60], repeats: [5, 12], ip: true },
    ],
  },
  {
    name: 'drive-by → user execution → LSASS dump → cloud exfiltration',
    where: () => pick(WS),
    user: (h) => h.owner!,
    stages: [
      { rule: P('pl_browser_spawns_script_host', 'Browser Spawned Script Host', ['initial-access', 't1189']), after: [0, 0] },
      { rule: P('pl_double_extension_downloads', 'Execution of Double-Extension File from Downloads', ['execution', 't1204.002']), after: [1, 5] },
      { rule: P('pl_lsass_dump_comsvcs', 'LSASS Dump via comsvcs.dll MiniDump', ['credential-access', 't1003.001']), after: [20, 60] },
      { rule: P('pl_upload_personal_cloud', 'Large Upload to Personal Cloud Storage', ['exfiltration', 't1567.002']), after: [20, 70], repeats: [8, 20], ip: true },
    ],
  },
  {
    name: 'link to new domain → rundll32 from temp → scheduled task → non-standard port C2',
    where: () => pick(WS),
    user: (h) => h.owner!,
    stages: [
      { rule: P('pl_click_newly_registered_domain', 'User Clicked Link to Newly Registered Domain', ['initial-access', 't1566.002']), after: [0, 0] },
      { rule: P('pl_rundll32_user_temp', 'Rundll32 Loading DLL from User Temp Folder', ['execution', 'defense-evasion', 't1218.011']), after: [3, 15] },
      { rule: R.schtaskProfile, after: [5, 30] },
      { rule: P('pl_tls_nonstandard_port', 'TLS Session to Non-Standard Port from Workstation', ['command-and-control', 't1571']), after: [10, 40], repeats: [5, 15], ip: true },
    ],
  },
  {
    name: 'web exploit → shell from web server → web shell → exfiltration',
    where: () => pick(role('srv-web')),
    user: () => 'www-data',
    stages: [
      { rule: P('pl_waf_exploit_passed', 'Exploitation Attempt Against Public-Facing Application Passed WAF', ['initial-access', 't1190']), after: [0, 0], ip: true },
      { rule: P('pl_shell_from_web_server', 'Shell Spawned by Web Server Process', ['execution', 't1059.004']), after: [5, 30] },
      { rule: P('pl_script_written_webroot', 'Script File Written to Web Root', ['persistence', 't1505.003']), after: [5, 30] },
      { rule: P('pl_exfil_over_c2', 'Outbound Transfer over Established C2 Channel', ['exfiltration', 't1041']), after: [30, 80], repeats: [10, 25], ip: true },
    ],
  },
  {
    name: 'dormant account logon → WMI shell → local account',
    where: () => pick(hosts),
    user: () => 'k.lindqvist', // left the company in spring; account never disabled
    stages: [
      { rule: P('pl_dormant_account_logon', 'Interactive Logon by Dormant Account', ['initial-access', 't1078']), after: [0, 0], ip: true },
      { rule: P('pl_wmi_spawns_cmd', 'WMI Provider Host Spawned Command Shell', ['execution', 't1047']), after: [10, 45] },
      { rule: P('pl_local_account_created', 'Local Account Created', ['persistence', 't1136.001']), after: [15, 60] },
    ],
  },
];
interface Planted {
  index: number;
  name: string;
  host: string;
  user: string;
  from: number;
  to: number;
  alerts: number;
  fingerprints: Set<string>;
}
const planted: Planted[] = [];
const plantedHosts = new Set<string>();
for (const [index, scenario] of SCENARIOS.entries()) {
  let host = scenario.where();
  while (plantedHosts.has(host.name)) host = scenario.where();
  plantedHosts.add(host.name);
  const user = scenario.user(host);
  const attackerIp = externalIp();
  const start = Math.floor(DAY_START + between(0.5, 21) * HOUR);
  const end = start + Math.floor(between(60, 180) * MIN);
  const p: Planted = { index, name: scenario.name, host: host.name, user, from: start, to: start, alerts: 0, fingerprints: new Set() };
  let t = start;
  for (const stage of scenario.stages) {
    t = Math.min(end - MIN, Math.floor(t + between(stage.after[0], stage.after[1]) * MIN));
    const ips = stage.ip ? [attackerIp] : [];
    const times = [t];
    if (stage.repeats) for (let r = t + between(...stage.repeats) * MIN; r < end; r += between(...stage.repeats) * MIN) times.push(Math.floor(r));
    for (const at of times) {
      const alert = sigma(stage.rule, at, host.name, user, ips);
      emit(at, alert, index);
      p.fingerprints.add(alert.fingerprint);
      p.alerts++;
      p.to = Math.max(p.to, at);
    }
  }
  planted.push(p);
}

// ---- the day, in event-time order ------------------------------------------------------------------

timeline.sort((a, b) => a.t - b.t);
const DAY: IncomingAlert[] = timeline.map((x) => x.alert);
const batches: IncomingAlert[][] = [];
for (let i = 0; i < DAY.length; i += BATCH) batches.push(DAY.slice(i, i + BATCH));
const ruleCount = new Set(DAY.map((a) => a.rule.id)).size;
const noisyRuleCount = new Set(timeline.filter((x) => x.planted === undefined).map((x) => x.alert.rule.id)).size;
const inWindow = (x: Timed, from: number, to: number) => x.t >= from && x.t < to;
const DAY_SHAPE = {
  sigma: DAY.filter((a) => a.source === 'sigma').length,
  alertmanager: DAY.filter((a) => a.source === 'alertmanager').length,
  resolved_reports: DAY.filter((a) => a.status === 'resolved').length,
  burst_reports: timeline.filter((x) => x.alert.rule.id === R.encodedPs.id && inWindow(x, DAY_START + 8 * HOUR + 2 * MIN, DAY_START + 8 * HOUR + 7 * MIN)).length,
  maintenance_reports: timeline.filter((x) => maintenanceHosts.some((h) => x.alert.entities.hosts.includes(h.name)) && inWindow(x, MAINT_FROM, MAINT_TO + 15 * MIN)).length,
  flapping_reports: timeline.filter((x) => (x.alert.rule.id === OPS.probe.alertname && x.alert.entities.hosts[0] === 'srv-app-18') || (x.alert.rule.id === OPS.load.alertname && x.alert.entities.hosts[0] === 'srv-ci-03' && inWindow(x, DAY_START + 9 * HOUR, DAY_START + 14 * HOUR))).length,
  planted_reports: timeline.filter((x) => x.planted !== undefined).length,
};
process.stderr.write(
  `triage: generated ${DAY.length} alerts from ${ruleCount} rules on ${new Set(DAY.flatMap((a) => a.entities.hosts)).size} hosts; planted:\n` +
    planted.map((p) => `  #${p.index + 1} ${p.host} (criticality ${byName.get(p.host)!.criticality}${byName.get(p.host)!.inInventory ? '' : ', not in inventory'}) ${p.user} ${hhmm(p.from)}-${hhmm(p.to)}: ${p.name} (${p.alerts} alerts)`).join('\n') +
    '\n',
);

// ---- triage: engine only ---------------------------------------------------------------------------

const config = resolveConfig({});
const triageConfig = config.triage as TriageConfig;
const inventory = new InventoryIndex(assets, services);

interface DayResult {
  seconds: number;
  incidents: Map<string, Incident>;
  alertState: Map<string, { incident_id: string | null; suppressed_by: string | null; source?: string }>;
  notifications: number;
  notificationReasons: Map<string, number>;
  notificationsByIncident: Map<string, number>;
  suppressedBy: Map<string, number>;
}

function runEngine(cfg: TriageConfig = triageConfig): DayResult {
  const engine = new TriageEngine(cfg, {
    inventory: () => inventory,
    sla: (priority, detectedAt) => slaFor(priority, cfg.sla as SlaTargets, detectedAt),
    now: () => new Date(),
  });
  engine.setSilences([maintenanceSilence]);
  const incidents = new Map<string, Incident>();
  const alertState = new Map<string, { incident_id: string | null; suppressed_by: string | null; source: string }>();
  let notifications = 0;
  const notificationReasons = new Map<string, number>();
  const notificationsByIncident = new Map<string, number>();
  const take = (out: TriageOutput) => {
    for (const n of out.notifications) {
      notificationReasons.set(n.reason, (notificationReasons.get(n.reason) ?? 0) + 1);
      notificationsByIncident.set(n.incident_id, (notificationsByIncident.get(n.incident_id) ?? 0) + 1);
    }
    for (const incident of out.incidents) incidents.set(incident.id, incident);
    for (const alert of out.alerts) alertState.set(alert.fingerprint, { incident_id: alert.incident_id ?? null, suppressed_by: alert.suppressed_by, source: alert.source });
    notifications += out.notifications.length;
  };
  // Only the engine's calls are timed, not this bookkeeping.
  let seconds = 0;
  for (const batch of batches) {
    const started = performance.now();
    const out = engine.process(batch);
    seconds += (performance.now() - started) / 1000;
    take(out);
  }
  take(engine.advance(DAY_END + HOUR));
  const suppressedBy = new Map<string, number>();
  for (const a of alertState.values()) {
    if (!a.suppressed_by) continue;
    const kind = `${a.suppressed_by.replace(/^(inhibit:service:[^:]+).*$/, '$1').replace(/^silence:.*/, 'silence')} (${a.source})`;
    suppressedBy.set(kind, (suppressedBy.get(kind) ?? 0) + 1);
  }
  return { seconds, incidents, alertState, notifications, notificationReasons, notificationsByIncident, suppressedBy };
}

const runs = Array.from({ length: intEnv('BENCH_TRIAGE_RUNS', 3, 1) }, () => runEngine());
const day = runs[0]!;
const best = Math.min(...runs.map((r) => r.seconds));
for (const r of runs) if (r.incidents.size !== day.incidents.size || r.notifications !== day.notifications) throw new Error('triage is not deterministic across runs');

/** Open incidents by score, highest first (ties: the older incident first). */
function queueOf(incidents: Iterable<Incident>): Incident[] {
  const seq = (id: string) => Number(id.replace(/^INC-/, ''));
  return [...incidents].filter((i) => (OPEN_STATUSES as readonly string[]).includes(i.status)).sort((a, b) => b.score - a.score || seq(a.id) - seq(b.id));
}

interface PlantedOutcome {
  planted: Planted;
  incidentIds: Map<string, number>;
  suppressed: Map<string, number>;
  main: string | null;
  rank: number | null;
}
function outcomes(result: DayResult, queue: Incident[]): PlantedOutcome[] {
  const rankOf = new Map(queue.map((i, n) => [i.id, n + 1]));
  return planted.map((p) => {
    const incidentIds = new Map<string, number>();
    const suppressed = new Map<string, number>();
    for (const f of p.fingerprints) {
      const state = result.alertState.get(f);
      if (state?.incident_id) incidentIds.set(state.incident_id, (incidentIds.get(state.incident_id) ?? 0) + 1);
      else suppressed.set(state?.suppressed_by ?? 'never seen', (suppressed.get(state?.suppressed_by ?? 'never seen') ?? 0) + 1);
    }
    const main = [...incidentIds.entries()].sort((a, b) => b[1] - a[1] || (rankOf.get(a[0]) ?? 1e9) - (rankOf.get(b[0]) ?? 1e9))[0]?.[0] ?? null;
    return { planted: p, incidentIds, suppressed, main, rank: main ? (rankOf.get(main) ?? null) : null };
  });
}

const queue = queueOf(day.incidents.values());
const results = outcomes(day, queue);
const plantedRanks = results.map((r) => r.rank);
const ranksGoalMet = [...plantedRanks].sort((a, b) => (a ?? 1e9) - (b ?? 1e9)).every((r, i) => r === i + 1);
const compression = 1 - day.incidents.size / DAY.length;
report({
  bench: 'triage',
  what: 'noisy-day',
  seed: SEED,
  alerts_in: DAY.length,
  rules: ruleCount,
  noisy_rules: noisyRuleCount,
  hosts: hosts.length,
  incidents_out: day.incidents.size,
  notifications_out: day.notifications,
  notifications_by_reason: Object.fromEntries(day.notificationReasons),
  compression: round(compression, 4),
  reduction_goal_met: compression >= 0.98,
  planted: planted.length,
  planted_ranks: plantedRanks,
  ranks_goal_met: ranksGoalMet,
  distinct_alerts: day.alertState.size,
  suppressed_distinct_alerts: Object.fromEntries([...day.suppressedBy].sort((a, b) => b[1] - a[1])),
  day_shape: DAY_SHAPE,
  goal: '>= 98% fewer incidents than alerts; planted incidents at ranks 1..N',
});

// Why: each planted incident, then the top of the queue.
{
  const lines: string[] = ['triage: planted incidents (engine run):'];
  const plantedIncidentIds = new Set(results.flatMap((r) => [...r.incidentIds.keys()]));
  for (const r of results) {
    const p = r.planted;
    lines.push(`  #${p.index + 1} on ${p.host} / ${p.user}, ${hhmm(p.from)}-${hhmm(p.to)}, ${p.name}: rank ${r.rank ?? '-'}`);
    for (const [id, n] of r.incidentIds) {
      const incident = day.incidents.get(id)!;
      const extra = incident.rules.filter((rule) => !SCENARIOS[p.index]!.stages.some((s) => s.rule.id === rule));
      lines.push(
        `     ${id} holds ${n}/${p.fingerprints.size} of its alert fingerprints; ${incident.alert_count} alerts, ${incident.entities.hosts.length} hosts, ${incident.rules.length} rules${extra.length ? ` (${extra.length} not of the attack: ${extra.slice(0, 4).join(', ')}${extra.length > 4 ? '...' : ''})` : ''}; "${incident.title}"`,
      );
      lines.push(`       ${incident.score_explanation.summary}`);
    }
    for (const [why, n] of r.suppressed) lines.push(`     ${n} fingerprint(s) in no incident: ${why}`);
  }
  // Which incidents muted other alerts through service dependencies.
  const inhibitors = new Map<string, { sigma: number; other: number }>();
  for (const a of day.alertState.values()) {
    const m = a.suppressed_by ? /^inhibit:service:([^:]+):(.+)$/.exec(a.suppressed_by) : null;
    if (!m) continue;
    const key = `${m[2]} (upstream ${m[1]})`;
    const n = inhibitors.get(key) ?? { sigma: 0, other: 0 };
    if (a.source === 'sigma') n.sigma++;
    else n.other++;
    inhibitors.set(key, n);
  }
  lines.push('triage: alerts muted by service inhibition, by muting incident:');
  for (const [key, n] of [...inhibitors].sort((a, b) => b[1].sigma + b[1].other - a[1].sigma - a[1].other).slice(0, 5)) {
    const incident = day.incidents.get(key.split(' ')[0]!)!;
    lines.push(`  ${key}: ${n.sigma} security detections, ${n.other} operations alerts muted; it is "${incident.title}" (rules ${incident.rules.join(', ')}; services ${incident.services.join(', ')})`);
  }
  const flappingIncidents = [...day.incidents.values()].filter((i) => i.flapping);
  const flapStates = ['BlackboxProbeFailed', 'HostHighLoad'].map((rule) => {
    const host = rule === 'BlackboxProbeFailed' ? 'srv-app-18' : 'srv-ci-03';
    const fp = DAY.find((a) => a.rule.id === rule && a.entities.hosts[0] === host && a.status === 'resolved')?.fingerprint;
    const state = fp ? day.alertState.get(fp) : undefined;
    return `${rule} on ${host}: ${state?.incident_id ? `in ${state.incident_id}` : `suppressed (${state?.suppressed_by})`}`;
  });
  lines.push(`triage: flapping alerts: ${flapStates.join('; ')}; incidents flagged flapping at the end: ${flappingIncidents.map((i) => i.id).join(', ') || 'none'}`);
  const chatty = [...day.notificationsByIncident].sort((a, b) => b[1] - a[1]).slice(0, 5);
  lines.push(`triage: most notified incidents: ${chatty.map(([id, n]) => `${id} ${n}× "${day.incidents.get(id)!.title}"`).join('; ')}`);
  // Rarity as it stood when each score was last computed, against the rule's count at the end of the day.
  const firedToday = new Map<string, number>();
  for (const a of DAY) if (a.status === 'firing') firedToday.set(a.rule.id, (firedToday.get(a.rule.id) ?? 0) + a.count);
  const stale = queue.slice(0, 10).flatMap((incident) => {
    const m = /rule (\S+) fired (\d+) times? in/.exec(incident.score_explanation.summary);
    return m && (firedToday.get(m[1]!) ?? 0) > 3 * Number(m[2]) ? [`${incident.id}: "${m[1]} fired ${m[2]}" but ${firedToday.get(m[1]!)} by the end of the day`] : [];
  });
  if (stale.length > 0) lines.push(`triage: rarity frozen at scoring time in the top 10: ${stale.join('; ')}`);
  lines.push(`triage: top of the queue (${queue.length} open incidents):`);
  for (const [n, incident] of queue.slice(0, 12).entries()) {
    lines.push(`  ${n + 1}. ${incident.id}${plantedIncidentIds.has(incident.id) ? ' [planted]' : ''} ${incident.alert_count} alerts, ${incident.entities.hosts.length} hosts: "${incident.title}"`);
    lines.push(`       ${incident.score_explanation.summary}`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}

// Diagnostic only: the same day with service inhibition turned off.
{
  const cfg = structuredClone(triageConfig);
  cfg.service_inhibition.enabled = false;
  const off = runEngine(cfg);
  const offQueue = queueOf(off.incidents.values());
  const offResults = outcomes(off, offQueue);
  process.stderr.write(
    `triage: the same day with triage.service_inhibition.enabled=false (diagnostic): ${off.incidents.size} incidents, ${off.notifications} notifications, planted ranks ${JSON.stringify(offResults.map((r) => r.rank))}; top 3: ${offQueue
      .slice(0, 3)
      .map((i) => `${i.id} "${i.title}" (${i.score})`)
      .join('; ')}\n`,
  );
}

const engineRate = DAY.length / best;
report({
  bench: 'triage',
  what: 'engine',
  alerts: DAY.length,
  batch: BATCH,
  runs: runs.map((r) => round(DAY.length / r.seconds)),
  alerts_per_s: round(engineRate),
  ratio_to_goal: round(engineRate / GOAL_ALERTS_PER_S, 2),
  goal: `>= ${GOAL_ALERTS_PER_S} alerts/s`,
});

// ---- triage: end to end (TriageService + SQLite) ----------------------------------------------------

if (PARTS.has('e2e')) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-triage-'));
  try {
    const cfg = resolveConfig({ data: dataDir });
    const local = await openLocal(cfg);
    try {
      const imported = await local.inventory.import({
        services: SERVICES.map((s) => ({ ...s })),
        assets: assets.map((a) => ({ name: a.name, kind: a.kind, criticality: a.criticality, tags: a.tags, services: a.services, aliases: a.aliases })),
      });
      if (imported.errors.length > 0) throw new Error(`inventory import: ${JSON.stringify(imported.errors.slice(0, 3))}`);
      // The service's wall clock, for the operator's silence: the evening before the replayed day.
      const wallStart = performance.now();
      const clock = () => new Date(DAY_START - 2 * HOUR + (performance.now() - wallStart));
      const service = new TriageService(local.store, cfg, local.audit, silentLogger(), clock, undefined, local.inventoryIndex);
      await service.start({ live: false });
      await service.createSilence({ matchers: ['host=~"srv-app-0[1-9]"'], starts_at: maintenanceSilence.starts_at, ends_at: maintenanceSilence.ends_at, comment: maintenanceSilence.comment }, 'ops.oncall');
      // Time spent in the store's commits, and what they wrote (for the breakdown only).
      const written = { seconds: 0, commits: 0, alerts: 0, incidents: 0, timeline: 0, incident_bytes: 0 };
      const write = local.store.write.bind(local.store);
      local.store.write = async (batch) => {
        const t0 = performance.now();
        try {
          return await write(batch);
        } finally {
          written.seconds += (performance.now() - t0) / 1000;
          written.commits++;
          written.alerts += batch.alerts?.length ?? 0;
          written.incidents += batch.incidents?.length ?? 0;
          written.timeline += batch.timeline?.length ?? 0;
          for (const incident of batch.incidents ?? []) written.incident_bytes += JSON.stringify(incident).length;
        }
      };
      let notifications = 0;
      const started = performance.now();
      for (const batch of batches) notifications += (await service.ingest(batch)).notifications;
      const seconds = (performance.now() - started) / 1000;
      notifications += await service.advance(DAY_END + HOUR);
      await service.stop();
      const stored = await local.store.searchIncidents({ query: { type: 'all' }, statuses: [], limit: 10_000, sort: '-score' });
      const open = await local.store.searchIncidents({ query: { type: 'all' }, statuses: [...OPEN_STATUSES], limit: 10_000, sort: '-score' });
      // Planted alerts' incidents, from the store.
      const e2eAlerts = new Map<string, { incident_id: string | null; suppressed_by: string | null }>();
      for (const p of planted) {
        for (const incident of stored.items) {
          if (!incident.entities.hosts.includes(p.host)) continue;
          for (const alert of await local.store.incidentAlerts(incident.id, 100_000)) {
            if (p.fingerprints.has(alert.fingerprint)) e2eAlerts.set(alert.fingerprint, { incident_id: alert.incident_id ?? null, suppressed_by: alert.suppressed_by });
          }
        }
      }
      const e2eResults = outcomes({ seconds, incidents: new Map(stored.items.map((i) => [i.id, i])), alertState: e2eAlerts, notifications, notificationReasons: new Map(), notificationsByIncident: new Map(), suppressedBy: new Map() }, queueOf(open.items));
      const rate = DAY.length / seconds;
      report({
        bench: 'triage',
        what: 'end-to-end',
        store: 'sqlite (synchronous=full)',
        alerts: DAY.length,
        batch: BATCH,
        incidents_out: stored.items.length,
        notifications_out: notifications,
        planted_ranks: e2eResults.map((r) => r.rank),
        alerts_per_s: round(rate),
        ratio_to_goal: round(rate / GOAL_ALERTS_PER_S, 2),
        commit_share: round(written.seconds / seconds, 2),
        rows_written: { commits: written.commits, alerts: written.alerts, incidents: written.incidents, timeline: written.timeline, incident_mb: round(written.incident_bytes / 1e6, 1) },
        goal: `>= ${GOAL_ALERTS_PER_S} alerts/s`,
      });
    } finally {
      await local.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- Alertmanager comparison -------------------------------------------------------------------------

function findAlertmanager(): string | null {
  for (const name of ['prometheus-alertmanager', 'alertmanager']) {
    const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  }
  return null;
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  generatorURL: string;
}
/** Alerts of one load: `distinct` different label sets, each a node-exporter-like alert. */
function loadAlerts(load: string, distinct: number): AmAlert[] {
  const names = ['HostHighCpuLoad', 'HostOutOfMemory', 'HostOutOfDiskSpace', 'HostHighLoad', 'TargetDown', 'HostClockSkew', 'HostSwapIsFillingUp', 'HostNetworkReceiveErrors'];
  const now = new Date().toISOString();
  return Array.from({ length: distinct }, (_, i) => {
    const host = `node-${String(i % 500).padStart(3, '0')}`;
    const alertname = `${load}${names[i % names.length]}`;
    return {
      labels: { alertname, instance: `${host}:9100`, job: 'node', severity: i % 10 === 0 ? 'critical' : 'warning', disk: `sd${String.fromCharCode(97 + ((i / 500) | 0) % 26)}${(i / 13000) | 0}` },
      annotations: { summary: `${alertname} on ${host}` },
      startsAt: now,
      generatorURL: `http://prometheus:9090/graph?g0.expr=${alertname}`,
    };
  });
}

function vigilBody(alerts: AmAlert[]): string {
  return JSON.stringify({
    version: '4',
    groupKey: '{}:{alertname=~".+"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'vigil',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: alerts.map((a) => ({ status: 'firing', ...a, endsAt: '0001-01-01T00:00:00Z', fingerprint: alertmanagerFingerprint(a.labels) })),
  });
}

/** Posts every body with `clients` keep-alive clients; alerts per second over the whole load. */
async function post(url: string, headers: Record<string, string>, bodies: Array<{ body: Buffer; alerts: number }>, okStatus: number[]): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: INTAKE_CLIENTS });
  const target = new URL(url);
  const send = (body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const req = request(target, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => (okStatus.includes(res.statusCode ?? 0) ? resolve() : reject(new Error(`${url}: HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  let alerts = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: INTAKE_CLIENTS }, async () => {
      while (next < bodies.length) {
        const item = bodies[next++]!;
        await send(item.body);
        alerts += item.alerts;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return alerts / seconds;
}

async function waitFor(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited: ${stderr()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`alertmanager did not become ready: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const amBinary = PARTS.has('intake') ? findAlertmanager() : null;
if (!PARTS.has('intake')) {
  // not asked for
} else if (!amBinary) {
  report({ bench: 'triage', what: 'alertmanager', skipped: 'prometheus-alertmanager not installed (apt-get install prometheus-alertmanager)' });
} else {
  const amDir = mkdtempSync(join(tmpdir(), 'vigil-bench-am-'));
  let am: ChildProcess | null = null;
  let vigil: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    writeFileSync(
      join(amDir, 'alertmanager.yml'),
      ['route:', '  receiver: "null"', '  group_by: [alertname]', '  group_wait: 30s', '  group_interval: 5m', '  repeat_interval: 4h', 'receivers:', '  - name: "null"', ''].join('\n'),
    );
    const amPort = await freePort();
    let amStderr = '';
    am = spawn(amBinary, [`--config.file=${join(amDir, 'alertmanager.yml')}`, `--storage.path=${join(amDir, 'data')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=', '--log.level=warn'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    am.stderr!.on('data', (d) => (amStderr = (amStderr + d).slice(-4000)));
    const amUrl = `http://127.0.0.1:${amPort}`;
    await waitFor(`${amUrl}/-/ready`, am, () => amStderr);
    vigil = await startServer();
    const version = spawnSync(amBinary, ['--version'], { encoding: 'utf8' }).stderr.split('\n')[0] || spawnSync(amBinary, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
    const amPost = (bodies: Array<{ body: Buffer; alerts: number }>) => post(`${amUrl}/api/v2/alerts`, {}, bodies, [200]);
    const vigilPost = (bodies: Array<{ body: Buffer; alerts: number }>) => post(`${vigil!.url}/api/v1/integrations/alertmanager`, { authorization: `Bearer ${vigil!.token}` }, bodies, [200, 202]);
    const asBodies = (alerts: AmAlert[], perRequest: number, repeat = 1) => {
      const am: Array<{ body: Buffer; alerts: number }> = [];
      const vg: Array<{ body: Buffer; alerts: number }> = [];
      for (let r = 0; r < repeat; r++) {
        for (let i = 0; i < alerts.length; i += perRequest) {
          const chunk = alerts.slice(i, i + perRequest);
          am.push({ body: Buffer.from(JSON.stringify(chunk)), alerts: chunk.length });
          vg.push({ body: Buffer.from(vigilBody(chunk)), alerts: chunk.length });
        }
      }
      return { am, vg };
    };
    // Warm-up of both (JIT, connections), not measured.
    {
      const warm = asBodies(loadAlerts('Warmup', 400), 1);
      const warmBatch = asBodies(loadAlerts('WarmupBatch', 1000), 100);
      await amPost(warm.am);
      await amPost(warmBatch.am);
      await vigilPost(warm.vg);
      await vigilPost(warmBatch.vg);
    }
    const loads: Array<{ load: string; alerts: number; bodies: ReturnType<typeof asBodies> }> = [
      { load: 'one alert per request', alerts: INTAKE_SINGLE, bodies: asBodies(loadAlerts('LoadA', INTAKE_SINGLE), 1) },
      { load: '100 new alerts per request', alerts: INTAKE_ALERTS, bodies: asBodies(loadAlerts('LoadB', INTAKE_ALERTS), 100) },
      { load: 'the same 100 alerts in every request', alerts: INTAKE_ALERTS, bodies: asBodies(loadAlerts('LoadC', 100), 100, Math.ceil(INTAKE_ALERTS / 100)) },
    ];
    for (const { load, alerts, bodies } of loads) {
      const amRate = await amPost(bodies.am);
      const vigilRate = await vigilPost(bodies.vg);
      report({
        bench: 'triage',
        what: 'intake',
        load,
        alerts,
        clients: INTAKE_CLIENTS,
        alertmanager: version.trim(),
        alertmanager_alerts_per_s: round(amRate),
        vigil_alerts_per_s: round(vigilRate),
        ratio: round(vigilRate / amRate, 2),
        goal: '>= 2 (twice Alertmanager)',
      });
    }
  } finally {
    if (am && am.exitCode === null) {
      am.kill('SIGTERM');
      await new Promise((r) => am!.once('exit', r));
    }
    if (vigil) await vigil.stop();
    rmSync(amDir, { recursive: true, force: true });
  }
}
