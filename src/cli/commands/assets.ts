import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { openLocal, type ImportReport } from '../../app/index.ts';
import { csvObjects } from '../../lib/index.ts';
import { loadConfig, localActor, remoteTarget, UsageError, type GlobalOptions } from '../context.ts';

const LIST_FIELDS = new Set(['tags', 'services', 'aliases', 'depends_on']);
const NUMBER_FIELDS = new Set(['criticality', 'tier']);

/** A CSV row as an inventory entry: lists split on ';' or '|', numbers as numbers, empty cells left out. */
function entryFromRow(row: Record<string, string>): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value === '') continue;
    if (LIST_FIELDS.has(key)) entry[key] = value.split(/[;|]/).map((v) => v.trim()).filter(Boolean);
    else if (NUMBER_FIELDS.has(key) && /^-?\d+$/.test(value)) entry[key] = Number(value);
    else entry[key] = value;
  }
  return entry;
}

/** Reads an inventory file: YAML/JSON `{services, assets}` (or a list of assets), or CSV of services (a `tier` column) or assets. */
export function readInventoryFile(file: string): { services: unknown[]; assets: unknown[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  if (extname(file).toLowerCase() === '.csv') {
    const rows = csvObjects(text).map(entryFromRow);
    const isServices = rows.length > 0 && rows.every((r) => 'tier' in r && !('criticality' in r));
    return isServices ? { services: rows, assets: [] } : { services: [], assets: rows };
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (Array.isArray(data)) return { services: [], assets: data };
  if (data && typeof data === 'object') {
    const { services, assets, ...rest } = data as Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw new UsageError(`${file}: unknown top-level key(s) ${Object.keys(rest).join(', ')}; expected services and assets`);
    if ((services !== undefined && !Array.isArray(services)) || (assets !== undefined && !Array.isArray(assets))) throw new UsageError(`${file}: services and assets must be lists`);
    return { services: (services as unknown[]) ?? [], assets: (assets as unknown[]) ?? [] };
  }
  throw new UsageError(`${file}: expected a mapping with services and assets, or a list of assets`);
}

/** `vigil assets import FILE`: create or replace services and assets; each bad entry reported alone. */
export async function assetsImport(file: string, options: GlobalOptions): Promise<number> {
  const data = readInventoryFile(file);
  const remote = remoteTarget(options);
  let report: ImportReport;
  if (remote) report = await remote.importInventory(data);
  else {
    const local = await openLocal(loadConfig(options));
    try {
      report = await local.inventory.import(data, localActor());
    } finally {
      await local.close();
    }
  }
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    process.stdout.write(
      `services: ${report.services.created} created, ${report.services.updated} updated; assets: ${report.assets.created} created, ${report.assets.updated} updated; ${report.errors.length} error(s)\n`,
    );
    for (const e of report.errors) process.stdout.write(`  ${e.kind} ${e.index + 1}${e.name ? ` (${e.name})` : ''}: ${e.error}\n`);
  }
  return report.errors.length > 0 ? 1 : 0;
}
