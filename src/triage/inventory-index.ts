import type { Asset, Service } from '../core/index.ts';

/**
 * The inventory as triage reads it on every alert: assets by name or alias (without case) and
 * services with their transitive dependencies. Rebuilt whenever the inventory changes.
 */
export class InventoryIndex {
  private readonly assets = new Map<string, Asset>();
  private readonly services = new Map<string, Service>();
  private readonly dependencyCache = new Map<string, string[]>();
  private readonly depthCache = new Map<string, Array<[string, number]>>();

  constructor(assets: Asset[] = [], services: Service[] = []) {
    for (const service of services) this.services.set(service.name.toLowerCase(), service);
    for (const service of services) for (const alias of service.aliases) if (!this.services.has(alias.toLowerCase())) this.services.set(alias.toLowerCase(), service);
    for (const asset of assets) this.assets.set(asset.name.toLowerCase(), asset);
    // Aliases never shadow a real name.
    for (const asset of assets) for (const alias of asset.aliases) if (!this.assets.has(alias.toLowerCase())) this.assets.set(alias.toLowerCase(), asset);
  }

  asset(nameOrAlias: string): Asset | null {
    const key = nameOrAlias.toLowerCase();
    return this.assets.get(key) ?? this.assets.get(key.split('.')[0]!) ?? null;
  }

  service(name: string): Service | null {
    return this.services.get(name.toLowerCase()) ?? null;
  }

  /** Services the given one needs, with how many steps away each is (1: directly), nearest first. */
  dependencyDepths(name: string): Array<[string, number]> {
    const start = this.service(name);
    if (!start) return [];
    const cached = this.depthCache.get(start.name);
    if (cached) return cached;
    const seen = new Map<string, number>([[start.name, 0]]);
    const out: Array<[string, number]> = [];
    let frontier = [start];
    for (let depth = 1; frontier.length > 0; depth++) {
      const next = [];
      for (const service of frontier) {
        for (const dependency of service.depends_on) {
          const found = this.service(dependency);
          if (!found || seen.has(found.name)) continue;
          seen.set(found.name, depth);
          out.push([found.name, depth]);
          next.push(found);
        }
      }
      frontier = next;
    }
    this.depthCache.set(start.name, out);
    return out;
  }

  /** Services the given one needs, directly or through others (cycles tolerated), by canonical name. */
  dependencies(name: string): string[] {
    const start = this.service(name);
    if (!start) return [];
    const cached = this.dependencyCache.get(start.name);
    if (cached) return cached;
    const seen = new Set<string>();
    const stack = [...start.depends_on];
    while (stack.length > 0) {
      const next = this.service(stack.pop()!);
      if (!next || seen.has(next.name) || next.name === start.name) continue;
      seen.add(next.name);
      stack.push(...next.depends_on);
    }
    const result = [...seen];
    this.dependencyCache.set(start.name, result);
    return result;
  }
}
