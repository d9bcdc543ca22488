/** `vigil silence ...`: mute alerts on a running server for a while (Alertmanager-style matchers). */
import type { Matcher, Silence } from '../../core/index.ts';
import { UsageError, type GlobalOptions } from '../context.ts';
import { attempt, requireServer, truncate } from './incident.ts';

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** `name="value"` as Alertmanager writes a matcher. */
export const formatMatcher = (m: Matcher): string => `${m.name}${m.op}${JSON.stringify(m.value)}`;
const matchers = (s: Silence): string => s.matchers.map(formatMatcher).join(',');

export interface SilenceAddOptions extends GlobalOptions {
  matcher?: string[];
  duration?: string;
  endsAt?: string;
  startsAt?: string;
  comment?: string;
}

export async function silenceAdd(options: SilenceAddOptions): Promise<number> {
  if (!options.matcher?.length) throw new UsageError('silence add needs at least one --matcher, e.g. --matcher \'host="web-1"\'');
  if (options.duration === undefined && options.endsAt === undefined) throw new UsageError('silence add needs --duration (e.g. 2h) or --ends-at (an ISO time)');
  if (options.duration !== undefined && options.endsAt !== undefined) throw new UsageError('silence add takes --duration or --ends-at, not both');
  if (options.comment === undefined) throw new UsageError('silence add needs --comment: say why alerts are silenced');
  const client = requireServer(options, 'vigil silence add');
  const silence = await client.createSilence({
    matchers: options.matcher,
    ...(options.startsAt !== undefined ? { starts_at: options.startsAt } : {}),
    ...(options.endsAt !== undefined ? { ends_at: options.endsAt } : {}),
    ...(options.duration !== undefined ? { duration: options.duration } : {}),
    comment: options.comment,
  });
  if (options.json) out(JSON.stringify(silence));
  else out(`silence ${silence.id} created: ${matchers(silence)} from ${silence.starts_at} until ${silence.ends_at}`);
  return 0;
}

export async function silenceList(options: GlobalOptions & { all?: boolean }): Promise<number> {
  const client = requireServer(options, 'vigil silence list');
  const page = await client.listSilences();
  const items = options.all ? page.items : page.items.filter((s) => s.state !== 'expired');
  if (options.json) {
    out(JSON.stringify({ items, next_cursor: page.next_cursor ?? null }));
    return 0;
  }
  if (items.length === 0) {
    out(options.all ? 'no silences' : 'no pending or active silences (--all shows expired ones too)');
    return 0;
  }
  const headers = ['ID', 'STATE', 'STARTS', 'ENDS', 'CREATED_BY', 'MATCHERS', 'COMMENT'];
  const rows = items.map((s) => [s.id, s.state, s.starts_at, s.ends_at, s.created_by, matchers(s), truncate(s.comment, 60)]);
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ');
  out(line(headers));
  for (const row of rows) out(line(row));
  return 0;
}

export async function silenceExpire(id: string, options: GlobalOptions): Promise<number> {
  const client = requireServer(options, 'vigil silence expire');
  const result = await attempt(id, () => client.expireSilence(id));
  if (!result.ok) return result.code;
  if (options.json) out(JSON.stringify(result.value));
  else out(`silence ${result.value.id} expired at ${result.value.expired_at ?? result.value.ends_at}: ${matchers(result.value)}`);
  return 0;
}
