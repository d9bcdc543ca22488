/** Test harness: the real `vigil` binary on free ports with a fresh data folder. */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../src/lib/index.ts';

export const VIGIL_BIN = new URL('../bin/vigil.js', import.meta.url).pathname;
const run = promisify(execFile);

export { freePort };

export const tempDir = (prefix = 'vigil-test-'): string => mkdtempSync(join(tmpdir(), prefix));

export interface TestServer {
  url: string;
  port: number;
  syslogPort: number;
  token: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** Authorised fetch against the server. */
  api(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  /** Waits until every accepted record went through the pipeline. */
  settle(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  cleanup(): void;
}

export interface StartOptions {
  dataDir?: string;
  config?: string;
  syslog?: boolean;
  env?: NodeJS.ProcessEnv;
  args?: string[];
}

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const port = await freePort();
  const syslogPort = options.syslog === false ? 0 : await freePort();
  const args = [VIGIL_BIN, 'serve', '--port', String(port), '--syslog-port', String(syslogPort), '--data', dataDir, '--log-level', 'warn'];
  if (options.config) args.push('--config', options.config);
  args.push(...(options.args ?? []));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vigil exited with ${child.exitCode}: ${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`vigil did not start in 30 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // The syslog listener starts right after HTTP: wait for its port too.
  if (syslogPort) await waitFor(async () => (await portOpen(syslogPort)) || null, 10_000, 'syslog port');
  const tokenFile = join(dataDir, 'admin.token');
  const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
  const server: TestServer = {
    url,
    port,
    syslogPort,
    token,
    dataDir,
    child,
    output: () => output,
    api: (path, init = {}) => {
      const headers = new Headers(init.headers);
      const bearer = init.token === undefined ? token : init.token;
      if (bearer) headers.set('authorization', `Bearer ${bearer}`);
      return fetch(url + path, { ...init, headers });
    },
    settle: async () => {
      await waitFor(async () => {
        const status = (await (await server.api("/api/v1/status")).json()) as { pipeline: { pending: number } };
        return status.pipeline.pending === 0 || null;
      }, 10_000, 'pipeline to settle');
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      return exited;
    },
    cleanup: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    import('node:net').then(({ connect }) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  });
}

/** Polls until `check` returns a non-null value, or fails after `ms`. */
export async function waitFor<T>(check: () => Promise<T | null>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== null && value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs the vigil CLI; resolves with exit code and output (never rejects on a non-zero exit). */
export async function vigil(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  if (options.input !== undefined) {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [VIGIL_BIN, ...args], { env: { ...process.env, ...options.env }, cwd: options.cwd });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(options.input);
    });
  }
  try {
    const { stdout, stderr } = await run(process.execPath, [VIGIL_BIN, ...args], { env: { ...process.env, ...options.env }, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** NDJSON body from objects. */
/** vigil.yaml with the issue's example freeze policy: firewall changes only in London business hours, else an emergency with two approvals. */
export const FIREWALL_HOURS_CONFIG = `changes:
  policies:
    - name: firewall-business-hours
      scope: { types: [firewall] }
      timezone: Europe/London
      allowed: [{ days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00" }]
      action: block
      emergency: { approvals: 2 }
`;

export const ndjson = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n');

declare global {
  // Tests read JSON answers loosely; the assertions check their shape.
  interface Response {
    json(): Promise<any>;
  }
}
