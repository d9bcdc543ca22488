import type { VigilEvent } from '../../core/index.ts';
import { openLocal } from '../../app/index.ts';
import { getPath } from '../../lib/index.ts';
import { loadConfig, remoteTarget, type GlobalOptions } from '../context.ts';

export interface SearchOptions extends GlobalOptions {
  from?: string;
  to?: string;
  limit?: number;
  sort?: string;
  cursor?: string;
}

const field = (event: VigilEvent, path: string): string => {
  const value = getPath(event, path);
  return value === undefined || value === null ? '' : Array.isArray(value) ? value.join(',') : String(value);
};

/** `vigil search 'QUERY'`: a table by default, the API's JSON page with --json. */
export async function search(query: string, options: SearchOptions): Promise<number> {
  const params = { q: query, from: options.from, to: options.to, limit: options.limit, sort: options.sort, cursor: options.cursor };
  const remote = remoteTarget(options);
  let page;
  if (remote) page = await remote.search(params);
  else {
    const local = await openLocal(loadConfig(options));
    try {
      page = await local.events.search(params);
    } finally {
      await local.close();
    }
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(page)}\n`);
    return 0;
  }
  const width = process.stdout.columns ?? 160;
  for (const event of page.items) {
    const summary = event.message ?? (field(event, 'event.action') || JSON.stringify(event.original).slice(0, 200));
    const line = `${event['@timestamp']}  ${field(event, 'host.name').padEnd(16)} ${event.input.name.padEnd(11)} ${String(summary).replace(/\s+/g, ' ')}`;
    process.stdout.write(`${line.slice(0, Math.max(60, width))}\n`);
  }
  process.stdout.write(`${page.items.length} event(s)${page.next_cursor ? ` — more with --cursor ${page.next_cursor}` : ''}\n`);
  return 0;
}
