/** Test support: a whole Change with plain defaults, for tests of the changes stage (not shipped behaviour). */
import type { Change } from '../core/index.ts';

export const CHANGE_T0 = '2026-03-01T09:00:00.000Z';

/** A requested firewall change on fw-edge-1, 2026-03-03 14:00-15:00 UTC, implemented by alice. */
export function makeChange(overrides: Partial<Change> = {}): Change {
  return {
    id: 'CHG-1',
    title: 'Edge firewall rule',
    description: '',
    type: 'firewall',
    risk: 'medium',
    assets: ['fw-edge-1'],
    services: [],
    window: { start: '2026-03-03T14:00:00Z', end: '2026-03-03T15:00:00Z' },
    implementer: 'alice',
    requester: 'carol',
    backout_plan: '',
    emergency: false,
    links: [],
    status: 'requested',
    approvals: [],
    approvals_required: 1,
    warnings: [],
    conflicts: [],
    started_at: null,
    ended_at: null,
    created_by: 'carol',
    created_at: CHANGE_T0,
    updated_at: CHANGE_T0,
    ...overrides,
  };
}
