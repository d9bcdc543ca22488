import { resolve } from 'node:path';
import { startVigil } from '../../app/index.ts';
import { createLogger } from '../../lib/index.ts';
import { loadConfig, type GlobalOptions } from '../context.ts';

export interface ServeOptions extends GlobalOptions {
  host?: string;
  port?: number;
  syslogPort?: number;
  logLevel?: string;
}

export async function serve(options: ServeOptions): Promise<void> {
  const config = loadConfig(options);
  const logger = createLogger({ level: config.log.level });
  const running = await startVigil(config, logger);
  const dataDir = resolve(config.data);
  if (running.adminToken) {
    // Printed once, on the console only (never through the logger); also in admin.token (0600).
    process.stderr.write(
      `\nFirst start: created an admin token (also in ${dataDir}/admin.token, mode 0600):\n\n    ${running.adminToken}\n\n`,
    );
  }
  logger.info(
    { url: running.url, data: dataDir, syslog: running.syslog ? { udp: running.syslog.udpPort, tcp: running.syslog.tcpPort } : 'off' },
    'vigil is running',
  );
  process.stderr.write(`Vigil listening on ${running.url}${running.syslog ? `, syslog on udp/tcp ${config.syslog.host}:${running.syslog.tcpPort}` : ''}\n`);

  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down: no new connections, flushing');
    running
      .stop()
      .then(() => {
        logger.info('stopped cleanly');
        logger.flush?.();
        setTimeout(() => process.exit(0), 50).unref();
      })
      .catch((error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
