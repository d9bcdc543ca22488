import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/lib/index.ts';

export const VIGIL_BIN = new URL('../bin/vigil.js', import.meta.url).pathname;

/** Prints one benchmark figure as a JSON line. */
export const report = (figure: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(figure)}\n`);
};

export { freePort };

export interface ServerHandle {
  url: string;
  token: string;
  syslogPort: number;
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `vigil serve` as its own process on free ports with a fresh data folder. */
export async function startServer(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = ['--max-semi-space-size=32'], existingDataDir?: string): Promise<ServerHandle> {
  // The same node flags as `npm start` and the vigil shebang.
  const dataDir = existingDataDir ?? mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const port = await freePort();
  const syslogPort = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, VIGIL_BIN, 'serve', '--port', String(port), '--syslog-port', String(syslogPort), '--data', dataDir, '--log-level', 'warn', ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vigil exited: ${stderr}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`vigil did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  return {
    url,
    token,
    syslogPort,
    dataDir,
    process: child,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const HOSTS = Array.from({ length: 500 }, (_, i) => `srv-${String(i).padStart(3, '0')}.corp.example.com`);
const USERS = Array.from({ length: 2000 }, (_, i) => `user${i}`);
const PROCESSES = ['C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', '/usr/bin/curl', '/usr/sbin/sshd', '/bin/bash'];

/** A realistic security event of about 500 bytes as JSON; deterministic for a given i. */
export function securityEvent(i: number, baseTime = Date.UTC(2026, 10, 1)): Record<string, unknown> {
  const kind = i % 4;
  const host = HOSTS[(i * 7919) % HOSTS.length]!;
  const user = USERS[(i * 104729) % USERS.length]!;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const ts = new Date(baseTime + i * 3).toISOString();
  if (kind === 0) {
    return {
      '@timestamp': ts,
      event: { kind: 'event', category: ['authentication'], type: ['start'], action: 'ssh_login', outcome: i % 3 ? 'success' : 'failure', dataset: 'system.auth' },
      host: { name: host, os: { family: 'linux' } },
      user: { name: user },
      source: { ip, port: 40000 + (i % 20000) },
      process: { name: 'sshd', pid: 1000 + (i % 30000) },
      message: `${i % 3 ? 'Accepted publickey' : 'Failed password'} for ${user} from ${ip} port ${40000 + (i % 20000)} ssh2`,
    };
  }
  if (kind === 1) {
    const exe = PROCESSES[i % PROCESSES.length]!;
    return {
      '@timestamp': ts,
      event: { kind: 'event', category: ['process'], type: ['start'], action: 'process-created', code: '1' },
      host: { name: host },
      user: { name: user, domain: 'CORP' },
      process: { executable: exe, name: exe.split(/[\\/]/).pop(), pid: 2000 + (i % 50000), command_line: `${exe} -c "echo job ${i} && whoami"`, parent: { name: 'explorer.exe', pid: 700 } },
      message: `Process ${exe} started by CORP\\${user}`,
    };
  }
  if (kind === 2) {
    return {
      '@timestamp': ts,
      event: { kind: 'event', category: ['network'], type: ['connection'], action: 'firewall-allow', outcome: 'success' },
      host: { name: host },
      source: { ip, port: 50000 + (i % 10000) },
      destination: { ip: `192.0.2.${i % 250}`, port: [443, 80, 22, 3389][i % 4] },
      network: { transport: 'tcp', protocol: 'https' },
      observer: { vendor: 'Example', product: 'edge-fw', name: 'fw-edge-1' },
      message: `allow tcp ${ip}:${50000 + (i % 10000)} -> 192.0.2.${i % 250}:${[443, 80, 22, 3389][i % 4]} rule=allow-web`,
    };
  }
  return {
    '@timestamp': ts,
    event: { kind: 'event', category: ['file'], type: ['change'], action: 'file-modified' },
    host: { name: host },
    user: { name: user },
    file: { path: `/var/www/app/releases/${i % 97}/config.php`, hash: { sha256: (i * 2654435761).toString(16).padStart(64, '0') } },
    message: `File /var/www/app/releases/${i % 97}/config.php modified by ${user}`,
  };
}

/** An RFC 5424 line of about the same size. */
export function syslogLine(i: number, baseTime = Date.UTC(2026, 10, 1)): string {
  const host = HOSTS[(i * 7919) % HOSTS.length]!;
  const user = USERS[(i * 104729) % USERS.length]!;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const ts = new Date(baseTime + i * 3).toISOString();
  return `<38>1 ${ts} ${host} sshd ${1000 + (i % 30000)} - [meta@32473 seq="${i}" site="dc1"] ${i % 3 ? 'Accepted publickey' : 'Failed password'} for ${user} from ${ip} port ${40000 + (i % 20000)} ssh2`;
}
