import type { LiveFeed } from '../api/index.ts';

/** Fan-out of live updates to the UI's streams; a slow or broken listener never blocks the others. */
export class LiveHub implements LiveFeed {
  private readonly listeners = new Set<(event: { type: string; data: unknown }) => void>();

  subscribe(listener: (event: { type: string; data: unknown }) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(type: string, data: unknown): void {
    for (const listener of this.listeners) {
      try {
        listener({ type, data });
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
