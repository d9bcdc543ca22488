import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { Batcher } from './batcher.ts';
import { datagramFrame, FrameParser, type Frame } from './framing.ts';

export interface SyslogMessage {
  text: string;
  /** ip:port of the sender ([ip]:port for IPv6; IPv4-mapped IPv6 addresses shown as IPv4). */
  peer: string;
  transport: 'udp' | 'tcp';
  receivedAt: Date;
  /** Set when the frame was bad (over the size limit, truncated, bogus count); text then holds a bounded head. */
  error?: string;
}

/** Resolves when the batch is durably accepted; rejects when the pipeline is overloaded (the batch is retried). */
export type SyslogSink = (batch: SyslogMessage[]) => Promise<void>;

export interface SyslogOptions {
  host: string;
  /** Same port for UDP and TCP; 0 = pick a free one (UDP tries TCP's port, else its own). */
  port: number;
  /** Default 65536. */
  maxMessageBytes: number;
  /** Default 1000. */
  batchMaxMessages?: number;
  /** Default 5. */
  batchMaxDelayMs?: number;
  /** Concurrent TCP connections; further ones are refused. Default: no limit. */
  maxConnections?: number;
  /** Close a TCP connection idle this long. Default: never (0). */
  idleTimeoutMs?: number;
}

export interface SyslogStats {
  /** Messages received (TCP frames and UDP datagrams, good or bad, including UDP ones dropped). */
  received: number;
  /** Messages delivered with `error` set (oversize, truncated, bogus octet count). */
  framesRejected: number;
  /** UDP messages dropped because the sink's backlog was full. */
  udpDropped: number;
  /** Open TCP connections. */
  connections: number;
}

export interface SyslogListener {
  readonly udpPort: number;
  readonly tcpPort: number;
  /** Stop accepting, end connections, flush pending batches to the sink, then resolve. */
  close(): Promise<void>;
  stats(): SyslogStats;
}

export interface SyslogLog {
  warn(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 65536;
export const DEFAULT_BATCH_MAX_MESSAGES = 1000;
export const DEFAULT_BATCH_MAX_DELAY_MS = 5;
/** Batches outstanding at the sink before TCP sockets are paused. */
export const MAX_IN_FLIGHT_BATCHES = 4;
/** UDP backlog bound (not yet handed to the sink), on top of the batches in flight. */
export const UDP_MAX_QUEUED_BYTES = 32 * 1024 * 1024;
/** How long close() lets connections finish sending after it ended them. */
export const CLOSE_GRACE_MS = 1000;
const RETRY_BASE_MS = 50;
const RETRY_MAX_MS = 2000;
const WARN_INTERVAL_MS = 10_000;
const KEEPALIVE_MS = 60_000;

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`syslog: ${name} must be a positive integer, got ${v}`);
  return v;
}

function formatPeer(address: string | undefined, port: number | undefined): string {
  let a = address ?? 'unknown';
  if (a.startsWith('::ffff:') && net.isIPv4(a.slice(7))) a = a.slice(7);
  return net.isIPv6(a) ? `[${a}]:${port ?? 0}` : `${a}:${port ?? 0}`;
}

/** At most one log line per key and interval; the ones held back are counted in the next. */
class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  constructor(
    private readonly log: SyslogLog | undefined,
    private readonly intervalMs: number,
  ) {}

  write(level: 'warn' | 'info', key: string, obj: object, msg: string): void {
    if (!this.log) return;
    const now = Date.now();
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.last.set(key, { at: now, suppressed: 0 });
    const fields = suppressed > 0 ? { ...obj, suppressed } : obj;
    try {
      if (level === 'info') this.log.info?.(fields, msg);
      else this.log.warn(fields, msg);
    } catch {
      // A failing logger must not take the listener down.
    }
  }
}

function listenTcp(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function bindUdp(sock: dgram.Socket, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    sock.once('error', onError);
    sock.bind({ address: host, port, exclusive: true }, () => {
      sock.off('error', onError);
      resolve(sock.address().port);
    });
  });
}

/**
 * Start a syslog listener on UDP and TCP. Messages go to `sink` in batches; see index.ts for the
 * framing, backpressure and close behaviour.
 */
export async function startSyslog(opts: SyslogOptions, sink: SyslogSink, log?: SyslogLog): Promise<SyslogListener> {
  const maxMessageBytes = positiveInt('maxMessageBytes', opts.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES);
  const batchMaxMessages = positiveInt('batchMaxMessages', opts.batchMaxMessages, DEFAULT_BATCH_MAX_MESSAGES);
  const batchMaxDelayMs = opts.batchMaxDelayMs ?? DEFAULT_BATCH_MAX_DELAY_MS;
  if (!Number.isFinite(batchMaxDelayMs) || batchMaxDelayMs < 0) throw new RangeError(`syslog: batchMaxDelayMs must be >= 0, got ${batchMaxDelayMs}`);
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new RangeError(`syslog: port must be 0..65535, got ${opts.port}`);
  const maxConnections = opts.maxConnections === undefined ? undefined : positiveInt('maxConnections', opts.maxConnections, 0);
  const idleTimeoutMs = opts.idleTimeoutMs ?? 0;
  if (!Number.isFinite(idleTimeoutMs) || idleTimeoutMs < 0) throw new RangeError(`syslog: idleTimeoutMs must be >= 0, got ${idleTimeoutMs}`);

  const limited = new RateLimitedLog(log, WARN_INTERVAL_MS);
  const stats: SyslogStats = { received: 0, framesRejected: 0, udpDropped: 0, connections: 0 };
  let udpDropsUnreported = 0;
  let closing = false;
  const sockets = new Set<net.Socket>();
  /** close() waiters for the last connection's 'close' (its final frames are in the batcher then). */
  const socketsGone: (() => void)[] = [];

  const batcher = new Batcher<SyslogMessage>(
    {
      maxMessages: batchMaxMessages,
      maxDelayMs: batchMaxDelayMs,
      maxInFlight: MAX_IN_FLIGHT_BATCHES,
      maxQueuedMessages: batchMaxMessages * MAX_IN_FLIGHT_BATCHES,
      maxQueuedBytes: UDP_MAX_QUEUED_BYTES,
      retryBaseMs: RETRY_BASE_MS,
      retryMaxMs: RETRY_MAX_MS,
    },
    sink,
    {
      onPressure(pressured) {
        for (const s of sockets) {
          if (pressured) {
            s.pause();
            if (idleTimeoutMs > 0) s.setTimeout(0);
          } else if (!s.destroyed) {
            s.resume();
            if (idleTimeoutMs > 0) s.setTimeout(idleTimeoutMs);
          }
        }
      },
      onRetry(err, batchSize, attempt, delayMs) {
        limited.write('warn', 'sink-rejected', { err: String(err), batchSize, attempt, delayMs }, 'syslog sink rejected a batch; retrying');
      },
    },
  );

  // What a message holds in memory while queued: a bad frame keeps only its head, whatever size
  // it announced (counting that would let one oversize frame fill the UDP backlog bound).
  const queuedSize = (frame: Frame): number => (frame.error === undefined ? frame.bytes : Buffer.byteLength(frame.text));

  const toMessage = (frame: Frame, peer: string, transport: 'udp' | 'tcp'): SyslogMessage => {
    stats.received++;
    const msg: SyslogMessage = { text: frame.text, peer, transport, receivedAt: new Date() };
    if (frame.error !== undefined) {
      msg.error = frame.error;
      stats.framesRejected++;
      limited.write('warn', `rejected-${transport}`, { peer, transport, error: frame.error, bytes: frame.bytes }, 'syslog frame rejected');
    }
    return msg;
  };

  // Resolve the host once so TCP and UDP bind the same address and UDP gets the right family.
  const address = net.isIP(opts.host) ? opts.host : (await lookup(opts.host)).address;
  const family = net.isIPv6(address) ? 'udp6' : 'udp4';

  const server = net.createServer({ allowHalfOpen: false }, (socket) => {
    socket.on('error', (err: NodeJS.ErrnoException) => {
      limited.write('info', 'socket-error', { err: err.message, code: err.code }, 'syslog connection error');
    });
    if (closing || socket.remoteAddress === undefined) {
      socket.destroy();
      return;
    }
    const peer = formatPeer(socket.remoteAddress, socket.remotePort);
    sockets.add(socket);
    stats.connections++;
    socket.setKeepAlive(true, KEEPALIVE_MS);
    if (idleTimeoutMs > 0) {
      socket.on('timeout', () => {
        limited.write('info', 'idle', { peer, idleTimeoutMs }, 'syslog connection idle; closing');
        socket.destroy();
      });
      // A socket paused by backpressure is not idle: the timer only runs while reading.
      if (!batcher.pressured) socket.setTimeout(idleTimeoutMs);
    }
    const parser = new FrameParser(maxMessageBytes, (frame) => {
      batcher.add(toMessage(frame, peer, 'tcp'), queuedSize(frame));
      if (frame.fatal) limited.write('warn', 'fatal-framing', { peer, error: frame.error }, 'syslog framing lost; closing connection');
    });
    socket.on('data', (chunk: Buffer) => {
      parser.push(chunk);
      // Bogus octet count: the stream cannot be resynchronised, drop the connection.
      if (parser.dead) socket.destroy();
    });
    let peerEnded = false;
    socket.once('end', () => (peerEnded = true));
    socket.once('close', () => {
      parser.end(peerEnded);
      sockets.delete(socket);
      stats.connections--;
      if (sockets.size === 0 && closing) for (const w of socketsGone.splice(0)) w();
    });
    if (batcher.pressured) socket.pause();
  });
  if (maxConnections !== undefined) server.maxConnections = maxConnections;

  const udp = dgram.createSocket({ type: family });
  udp.on('message', (buf, rinfo) => {
    if (buf.length === 0) return;
    const frame = datagramFrame(buf, maxMessageBytes);
    if (frame.bytes === 0 && frame.error === undefined) return;
    const msg = toMessage(frame, formatPeer(rinfo.address, rinfo.port), 'udp');
    if (!batcher.offer(msg, queuedSize(frame))) {
      stats.udpDropped++;
      udpDropsUnreported++;
      reportUdpDrops(false);
    }
  });

  let lastDropReport = 0;
  function reportUdpDrops(force: boolean): void {
    if (udpDropsUnreported === 0) return;
    const now = Date.now();
    if (!force && now - lastDropReport < WARN_INTERVAL_MS) return;
    lastDropReport = now;
    const dropped = udpDropsUnreported;
    udpDropsUnreported = 0;
    try {
      log?.warn({ dropped, totalDropped: stats.udpDropped }, 'syslog udp messages dropped: sink backlog full');
    } catch {
      // ignore a failing logger
    }
  }

  let tcpPort: number;
  try {
    tcpPort = await listenTcp(server, address, opts.port);
  } catch (err) {
    udp.close();
    throw err;
  }
  let udpPort: number;
  try {
    if (opts.port === 0) {
      try {
        udpPort = await bindUdp(udp, address, tcpPort);
      } catch {
        udp.removeAllListeners('listening');
        udpPort = await bindUdp(udp, address, 0);
      }
    } else {
      udpPort = await bindUdp(udp, address, opts.port);
    }
  } catch (err) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    try {
      udp.close();
    } catch {
      // not bound
    }
    throw err;
  }
  // Registered after binding so a bind failure is reported once, by the rejection.
  server.on('error', (err) => limited.write('warn', 'server-error', { err: err.message }, 'syslog tcp server error'));
  udp.on('error', (err) => limited.write('warn', 'udp-error', { err: err.message }, 'syslog udp socket error'));
  try {
    log?.info?.({ host: address, tcpPort, udpPort }, 'syslog listening');
  } catch {
    // ignore
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      const tcpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      const udpClosed = new Promise<void>((resolve) => udp.close(() => resolve()));
      // Half-close: the peer sees our FIN; what it already sent is still read and delivered.
      for (const s of sockets) s.end();
      const grace = setTimeout(() => {
        for (const s of sockets) {
          // A socket paused by backpressure may hold chunks Node already read from the kernel:
          // read() hands them to the 'data' handler (and the parser) before the socket goes.
          while (!s.destroyed && s.read() !== null);
          s.destroy();
        }
      }, CLOSE_GRACE_MS);
      const allGone = sockets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => socketsGone.push(resolve));
      await Promise.all([tcpClosed, udpClosed, allGone]);
      clearTimeout(grace);
      await batcher.drain();
      reportUdpDrops(true);
    })();
    return closed;
  };

  return {
    udpPort,
    tcpPort,
    close,
    stats: () => ({ ...stats }),
  };
}
