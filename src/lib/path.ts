const SPLIT = new Map<string, string[]>();

/**
 * The value at a dotted path in nested objects (`host.name` → obj.host.name), or undefined.
 * Split paths are cached: the same few paths are read on every event.
 */
export function getPath(root: unknown, path: string): unknown {
  let parts = SPLIT.get(path);
  if (!parts) {
    parts = path.split('.');
    if (SPLIT.size < 10_000) SPLIT.set(path, parts);
  }
  let node = root;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
