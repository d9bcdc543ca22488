/**
 * The API's shapes the UI reads: the core's own types (type-only, so nothing of src/ is bundled;
 * the UI still talks only to the REST API).
 */
export type { Alert, Incident, RelatedChange, ScorePart, TimelineEntry } from '../../src/core/index.ts';

export { OPEN_STATUSES } from '../../src/core/index.ts';
