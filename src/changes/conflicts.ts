import type { Change, ChangeConflict, ChangeStatus } from '../core/index.ts';

/** Changes in these states no longer hold their window. */
const ENDED: readonly ChangeStatus[] = ['cancelled', 'completed', 'failed', 'rolled_back'];

/** Where two changes meet, most direct first. */
interface Meeting {
  on: string;
  reason: string;
}

/** The shared part of two windows, or null. Half-open: a change ending at 15:00 and one starting then do not overlap. */
function overlapOf(a: Change['window'], b: Change['window']): { start: string; end: string } | null {
  const start = Math.max(Date.parse(a.start), Date.parse(b.start));
  const end = Math.min(Date.parse(a.end), Date.parse(b.end));
  return start < end ? { start: new Date(start).toISOString(), end: new Date(end).toISOString() } : null;
}

/** A change's services: the ones it names and those of its assets. */
function servicesOf(change: Change, assetServices: (asset: string) => string[]): Set<string> {
  const out = new Set(change.services);
  for (const asset of change.assets) for (const s of assetServices(asset)) out.add(s);
  return out;
}

/**
 * Changes whose windows overlap this one's and that touch the same thing: a shared asset, a shared service
 * (assets' services count), or a service one of them depends on. `dependsOn` returns all dependencies,
 * transitive ones included. One conflict per other change, naming the most direct meeting point: a shared
 * asset says more than a shared service, which says more than a dependency.
 */
export function findConflicts(
  change: Change,
  others: Change[],
  dependsOn: (service: string) => string[],
  assetServices: (asset: string) => string[],
): ChangeConflict[] {
  if (ENDED.includes(change.status)) return [];
  const mine = servicesOf(change, assetServices);
  const myDeps = new Map([...mine].map((s) => [s, new Set(dependsOn(s))]));
  const conflicts: ChangeConflict[] = [];
  for (const other of others) {
    if (other.id === change.id || ENDED.includes(other.status)) continue;
    const overlap = overlapOf(change.window, other.window);
    if (!overlap) continue;
    const theirs = servicesOf(other, assetServices);
    const meetings: Meeting[] = [];
    for (const asset of change.assets) if (other.assets.includes(asset)) meetings.push({ on: asset, reason: `both change ${asset}` });
    for (const s of mine) if (theirs.has(s)) meetings.push({ on: s, reason: `both affect service ${s}` });
    // Either side may depend on the other; `on` is the service depended on, whose outage is felt.
    for (const [s, deps] of myDeps) {
      for (const t of theirs) if (!mine.has(t) && deps.has(t)) meetings.push({ on: t, reason: `${s} depends on ${t}` });
    }
    for (const t of theirs) {
      if (mine.has(t)) continue;
      for (const d of dependsOn(t)) if (mine.has(d) && !theirs.has(d)) meetings.push({ on: d, reason: `${t} depends on ${d}` });
    }
    if (meetings.length === 0) continue;
    const [first] = meetings;
    const more = meetings.length - 1;
    conflicts.push({
      change_id: other.id,
      on: first.on,
      reason: more > 0 ? `${first.reason} (and ${more} more)` : first.reason,
      overlap,
    });
  }
  return conflicts;
}
