const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Durations as Alertmanager and Prometheus write them: `30s`, `5m`, `1h30m`, `7d`, `250ms`; or a number of milliseconds. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0) throw new Error(`invalid duration ${text}: expected a non-negative number of milliseconds`);
    return text;
  }
  const source = text.trim();
  if (source === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  let part: RegExpExecArray | null;
  while ((part = re.exec(source))) {
    total += Number(part[1]) * UNITS[part[2]!]!;
    matched = re.lastIndex;
  }
  if (source === '' || matched !== source.length) throw new Error(`invalid duration '${text}': expected a number with a unit (ms, s, m, h, d, w), e.g. 30s, 5m, 1h30m`);
  return Math.round(total);
}

/** The shortest Alertmanager-style text for a duration in ms (`90000` → `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
