/**
 * Size limits of one record, checked iteratively before anything recursive touches it, so a
 * record nested 100,000 deep or with a million keys costs a bounded walk and a clear reason.
 */
export interface RecordLimits {
  maxFields: number;
  maxDepth: number;
}

export function checkRecordLimits(value: unknown, limits: RecordLimits): string | null {
  let fields = 0;
  // Two parallel stacks (no object per node: this runs on every ingested record).
  const nodes: unknown[] = [value];
  const depths: number[] = [0];
  const tooMany = () => `record has more than ${limits.maxFields} fields (ingest.max_fields)`;
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop()!;
    if (node === null || typeof node !== 'object') {
      if (++fields > limits.maxFields) return tooMany();
      continue;
    }
    if (depth >= limits.maxDepth) return `record is nested deeper than ${limits.maxDepth} levels (ingest.max_depth)`;
    const children = Array.isArray(node) ? node : Object.values(node);
    if (children.length === 0 && ++fields > limits.maxFields) return tooMany();
    for (const child of children) {
      nodes.push(child);
      depths.push(depth + 1);
    }
    if (nodes.length > limits.maxFields * 2 + 16) return tooMany();
  }
  return null;
}
