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
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') {
      if (++fields > limits.maxFields) return `record has more than ${limits.maxFields} fields (ingest.max_fields)`;
      continue;
    }
    if (depth >= limits.maxDepth) return `record is nested deeper than ${limits.maxDepth} levels (ingest.max_depth)`;
    const children = Array.isArray(node) ? node : Object.values(node);
    if (children.length === 0 && ++fields > limits.maxFields) {
      return `record has more than ${limits.maxFields} fields (ingest.max_fields)`;
    }
    for (const child of children) stack.push({ node: child, depth: depth + 1 });
    if (stack.length > limits.maxFields * 2 + 16) return `record has more than ${limits.maxFields} fields (ingest.max_fields)`;
  }
  return null;
}
