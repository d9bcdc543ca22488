import { readFileSync } from 'node:fs';
import { isIndicatorType, VigilError } from '../../core/index.ts';
import { IMPORT_FORMATS, IntelService, openLocal, type ImportFormat, type IndicatorReport } from '../../app/index.ts';
import { loadConfig, localActor, remoteTarget, UsageError, type GlobalOptions } from '../context.ts';

export interface IntelImportOptions extends GlobalOptions {
  format: string;
  source: string;
  type?: string;
  confidence?: string;
  retroHunt?: boolean;
}

/**
 * `vigil intel import FILE --format stix|misp|csv|lines --source NAME`: with --url through the
 * running server (matched at once); locally into the data folder (loaded, and retro-hunted, by
 * the server at its next start).
 */
export async function intelImport(file: string, options: IntelImportOptions): Promise<number> {
  if (!IMPORT_FORMATS.includes(options.format as ImportFormat)) throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(', ')}`);
  if (options.type !== undefined && !isIndicatorType(options.type)) throw new UsageError('--type must be one of ip, cidr, domain, url, md5, sha1, sha256, email, user, filename');
  const confidence = options.confidence === undefined ? undefined : Number(options.confidence);
  if (confidence !== undefined && !(Number.isInteger(confidence) && confidence >= 0 && confidence <= 100)) throw new UsageError('--confidence must be an integer from 0 to 100');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  const format = options.format as ImportFormat;
  const retroHunt = options.retroHunt !== false;
  let report: IndicatorReport;
  try {
    const remote = remoteTarget(options);
    if (remote) {
      report = await remote.importIntel(text, {
        format,
        source: options.source,
        ...(options.type ? { type: options.type } : {}),
        ...(confidence !== undefined ? { confidence: String(confidence) } : {}),
        retro_hunt: String(retroHunt),
      });
    } else {
      const local = await openLocal(loadConfig(options));
      try {
        const intel = new IntelService(local.store, local.config, local.audit, local.logger);
        intel.deferHunts();
        report = await intel.import(text, format, options.source, localActor(), {
          ...(options.type && isIndicatorType(options.type) ? { type: options.type } : {}),
          ...(confidence !== undefined ? { confidence } : {}),
          retroHunt,
        });
      } finally {
        await local.close();
      }
    }
  } catch (error) {
    if (error instanceof VigilError && error.code === 'import_format') {
      process.stderr.write(`vigil: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    process.stdout.write(
      `indicators: ${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged; ${report.rejected.length} rejected, ${report.unsupported.length} unsupported` +
        `${report.retro_hunt ? `; retro-hunt ${report.retro_hunt}` : ''}\n`,
    );
    for (const r of report.rejected) process.stdout.write(`  rejected ${r.where}${r.field ? ` ${r.field}` : ''}: ${r.reason}\n`);
    for (const u of report.unsupported) process.stdout.write(`  unsupported ${u.where}: ${u.reason}${u.pattern ? ` (${u.pattern})` : ''}\n`);
  }
  return report.rejected.length > 0 ? 1 : 0;
}
