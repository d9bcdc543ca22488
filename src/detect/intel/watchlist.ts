import { WATCHLIST_KINDS, type Watchlist } from '../../core/index.ts';
import { IndicatorError } from './indicator.ts';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
const MAX_ENTRIES = 1_000_000;
const FIELDS = new Set(['kind', 'entries', 'description', 'weight']);

/** Checks a watchlist body (PUT /api/v1/watchlists/{name}); throws IndicatorError naming the field. */
export function toWatchlist(name: string, body: unknown, now: Date, previous: Watchlist | null): Watchlist {
  if (!NAME.test(name)) throw new IndicatorError('name', 'must be lower-case letters, digits, _ . - (a Sigma placeholder name), at most 100 characters');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new IndicatorError('body', 'must be an object');
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) if (!FIELDS.has(key)) throw new IndicatorError(key, 'is not a field of a watchlist');
  const kind = input.kind ?? 'any';
  if (!WATCHLIST_KINDS.includes(kind as Watchlist['kind'])) throw new IndicatorError('kind', `must be one of ${WATCHLIST_KINDS.join(', ')}`);
  const entries = input.entries;
  if (!Array.isArray(entries) || entries.length > MAX_ENTRIES || !entries.every((e) => typeof e === 'string' && e.trim() !== '' && e.length <= 1024)) {
    throw new IndicatorError('entries', `must be a list of at most ${MAX_ENTRIES} non-empty strings`);
  }
  const description = input.description ?? '';
  if (typeof description !== 'string' || description.length > 4000) throw new IndicatorError('description', 'must be a string of at most 4000 characters');
  const weight = input.weight ?? 1;
  if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) throw new IndicatorError('weight', 'must be a number from 0 to 1');
  const at = now.toISOString();
  return {
    name,
    description,
    kind: kind as Watchlist['kind'],
    entries: [...new Set((entries as string[]).map((e) => e.trim()))],
    weight,
    created_at: previous?.created_at ?? at,
    updated_at: at,
  };
}

/**
 * The keys an entry is found under: itself without case and, for user names, also the bare name
 * of `DOMAIN\\name` or `name@domain`, since events name users either way.
 */
function keysOf(entry: string, user: boolean): string[] {
  const key = entry.toLowerCase();
  if (!user) return [key];
  const slash = key.lastIndexOf('\\');
  const at = key.indexOf('@');
  const bare = slash >= 0 ? key.slice(slash + 1) : at > 0 ? key.slice(0, at) : key;
  return bare && bare !== key ? [key, bare] : [key];
}

/** Which watchlists hold an entity, without case, for triage (labels, scoring, silences). */
export class WatchlistIndex {
  private readonly byEntry = new Map<string, Array<{ list: Watchlist; kinds: ReadonlySet<string> }>>();

  constructor(readonly lists: readonly Watchlist[] = []) {
    for (const list of lists) {
      const kinds = new Set(list.kind === 'any' ? ['host', 'user', 'ip'] : [list.kind]);
      for (const entry of list.entries) {
        for (const key of keysOf(entry, kinds.has('user'))) {
          let found = this.byEntry.get(key);
          if (!found) this.byEntry.set(key, (found = []));
          if (!found.some((f) => f.list === list)) found.push({ list, kinds });
        }
      }
    }
  }

  get size(): number {
    return this.lists.length;
  }

  /** The watchlists holding any of the entities, each once with the first entity found on it. */
  of(entities: { hosts: readonly string[]; users: readonly string[]; ips: readonly string[] }): Array<{ name: string; weight: number; entity: string }> {
    if (this.byEntry.size === 0) return [];
    const out: Array<{ name: string; weight: number; entity: string }> = [];
    const look = (values: readonly string[], kind: string) => {
      for (const value of values) {
        for (const { list, kinds } of this.byEntry.get(value.toLowerCase()) ?? []) {
          if (kinds.has(kind) && !out.some((o) => o.name === list.name)) out.push({ name: list.name, weight: list.weight, entity: value });
        }
      }
    };
    look(entities.hosts, 'host');
    look(entities.users, 'user');
    look(entities.ips, 'ip');
    return out;
  }

  /** Each list's entries as Sigma placeholder values (`%name%`). */
  placeholders(): Record<string, string[]> {
    return Object.fromEntries(this.lists.map((list) => [list.name, list.entries]));
  }
}
