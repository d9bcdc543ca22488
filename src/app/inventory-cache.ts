import type { InventoryStore } from '../store/index.ts';
import { InventoryIndex } from '../triage/index.ts';

/**
 * The inventory as one in-memory index, shared by triage and change management: lookups on the
 * alert path are synchronous, and the index is rebuilt from the store after the inventory changes.
 */
export class InventoryCache {
  private index = new InventoryIndex();
  private stale = true;
  private loading: Promise<InventoryIndex> | null = null;

  constructor(private readonly store: InventoryStore) {}

  /** The index as last loaded. */
  current(): InventoryIndex {
    return this.index;
  }

  invalidate(): void {
    this.stale = true;
  }

  /** The index, reloaded first when the inventory changed since the last load. */
  async fresh(): Promise<InventoryIndex> {
    if (!this.stale) return this.index;
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<InventoryIndex> {
    this.stale = false;
    const assets = [];
    for (let page = await this.store.listAssets(1000); ; page = await this.store.listAssets(1000, page.next_cursor!)) {
      assets.push(...page.items);
      if (!page.next_cursor) break;
    }
    this.index = new InventoryIndex(assets, await this.store.allServices());
    return this.index;
  }
}
