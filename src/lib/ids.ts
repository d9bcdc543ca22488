import { monotonicFactory } from 'ulid';

/** ULIDs from one monotonic generator sort in creation order, even within one millisecond. */
const nextUlid = monotonicFactory();

export const newId = (time?: number): string => nextUlid(time);
