import { pino, type Logger } from 'pino';

export type { Logger };

/** Fields whose values must never reach a log line. */
const REDACT = [
  'token', '*.token', 'authorization', '*.authorization', 'req.headers.authorization',
  'secret', '*.secret', 'password', '*.password', 'headers["x-vigil-signature"]',
];

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream | number } = {}): Logger {
  const level = options.level ?? process.env.VIGIL_LOG_LEVEL ?? 'info';
  const destination = options.destination ?? 1;
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'vigil' } },
    typeof destination === 'number' ? pino.destination({ fd: destination, sync: false }) : destination,
  );
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
