/** Display helpers: every value from an event goes through JSX (escaped), never through innerHTML. */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  const abs = Math.abs(seconds);
  const unit = abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.round(abs / 60), 'min'] : abs < 86_400 ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86_400), 'd'];
  return seconds >= 0 ? `${unit[0]} ${unit[1]} ago` : `in ${unit[0]} ${unit[1]}`;
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

/** Time left on an SLA clock, or how long it has been breached. */
export function slaClock(due: string | null | undefined, now = Date.now()): { text: string; breached: boolean } | null {
  if (!due) return null;
  const left = Math.round((Date.parse(due) - now) / 1000);
  return left >= 0 ? { text: `${duration(left)} left`, breached: false } : { text: `${duration(-left)} over`, breached: true };
}

export const KILL_CHAIN = ['reconnaissance', 'weaponization', 'delivery', 'exploitation', 'installation', 'command-and-control', 'actions-on-objectives'];

/** A count with thousands separators, the same on every page. */
export const num = (n: number): string => n.toLocaleString('en-US');
