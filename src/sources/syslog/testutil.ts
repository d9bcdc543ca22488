// Helpers for the syslog tests (not a test file itself).
import net from 'node:net';
import type { SyslogMessage, SyslogSink } from './listener.ts';

/** Poll until cond() holds; fail with `what` after the deadline. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Collector {
  sink: SyslogSink;
  messages: SyslogMessage[];
  batchSizes: number[];
}

export function collector(): Collector {
  const messages: SyslogMessage[] = [];
  const batchSizes: number[] = [];
  return {
    messages,
    batchSizes,
    sink: async (batch) => {
      batchSizes.push(batch.length);
      messages.push(...batch);
    },
  };
}

export function connect(port: number, host = '127.0.0.1', opts: { allowHalfOpen?: boolean } = {}): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host, allowHalfOpen: opts.allowHalfOpen ?? false }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

export function write(sock: net.Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => sock.write(data, (err) => (err ? reject(err) : resolve())));
}

/** Resolves when the socket has closed (for any reason). */
export function closed(sock: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (sock.closed) resolve();
    else sock.once('close', () => resolve());
  });
}

export function octetCounted(msg: string): string {
  return `${Buffer.byteLength(msg)} ${msg}`;
}
