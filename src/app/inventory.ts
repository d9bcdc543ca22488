import { badRequest, conflict, notFound, VigilError, type Asset, type AssetInput, type Service, type ServiceInput } from '../core/index.ts';
import type { InventoryStore, Page } from '../store/index.ts';
import type { AuditTrail } from './audit.ts';

const NAME = /^[\w.@:/-]{1,128}$/;
const unprocessable = (field: string, message: string) => new VigilError('invalid_reference', `${field}: ${message}`, 422, field);

const strings = (value: unknown, field: string): string[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) throw badRequest(`${field}: must be a list of non-empty strings`, field);
  return [...new Set(value as string[])];
};
const integer = (value: unknown, field: string, min: number, max: number): number => {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) throw badRequest(`${field}: must be an integer from ${min} to ${max}`, field);
  return value as number;
};
const name = (value: unknown, field = 'name'): string => {
  if (typeof value !== 'string' || !NAME.test(value)) throw badRequest(`${field}: 1-128 letters, digits or . _ @ : / -`, field);
  return value;
};
const optionalText = (value: unknown, field: string): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > 4096) throw badRequest(`${field}: must be a string of at most 4096 characters`, field);
  return value;
};

export interface ImportReport {
  services: { created: number; updated: number };
  assets: { created: number; updated: number };
  errors: Array<{ kind: 'service' | 'asset'; index: number; name: string | null; error: string }>;
}

/** Assets and business services: checked, with references and dependency cycles refused. */
export class InventoryService {
  constructor(
    private readonly store: InventoryStore,
    private readonly audit?: AuditTrail,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Told after every change, so triage can refresh its view of the inventory. */
  onChange?: () => void;

  private async trail(actor: string, action: string, type: 'asset' | 'service', id: string, before: unknown, after: unknown): Promise<void> {
    this.onChange?.();
    await this.audit?.record({ actor, action: `${type}.${action}`, object_type: type, object_id: id, before, after });
  }

  private async checkServices(names: string[], field: string): Promise<void> {
    for (let i = 0; i < names.length; i++) {
      if (!(await this.store.getService(names[i]!))) throw unprocessable(`${field}[${i}]`, `unknown service '${names[i]}'`);
    }
  }

  /** A service may not depend on itself, directly or through others. */
  private async checkCycle(service: string, dependsOn: string[]): Promise<void> {
    const graph = new Map((await this.store.allServices()).map((s) => [s.name.toLowerCase(), s.depends_on.map((d) => d.toLowerCase())]));
    graph.set(service.toLowerCase(), dependsOn.map((d) => d.toLowerCase()));
    const stack = [...(graph.get(service.toLowerCase()) ?? [])];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (next === service.toLowerCase()) throw unprocessable('depends_on', `'${service}' would depend on itself`);
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(graph.get(next) ?? []));
    }
  }

  private serviceFrom(input: Record<string, unknown>, existing: Service | null): Service {
    const now = this.clock().toISOString();
    const merged = { ...(existing ?? {}), ...input };
    return {
      name: existing?.name ?? name(merged.name),
      tier: integer(merged.tier, 'tier', 1, 4),
      depends_on: strings(merged.depends_on, 'depends_on'),
      aliases: strings(merged.aliases, 'aliases'),
      ...(optionalText(merged.description, 'description') !== undefined ? { description: merged.description as string } : {}),
      ...(optionalText(merged.owner, 'owner') !== undefined ? { owner: merged.owner as string } : {}),
      ...(optionalText(merged.team, 'team') !== undefined ? { team: merged.team as string } : {}),
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
  }

  private assetFrom(input: Record<string, unknown>, existing: Asset | null): Asset {
    const now = this.clock().toISOString();
    const merged = { ...(existing ?? {}), ...input };
    if (typeof merged.kind !== 'string' || !/^[\w-]{1,64}$/.test(merged.kind)) throw badRequest('kind: 1-64 letters, digits, _ or -', 'kind');
    return {
      name: existing?.name ?? name(merged.name),
      kind: merged.kind,
      criticality: integer(merged.criticality, 'criticality', 1, 5),
      tags: strings(merged.tags, 'tags'),
      services: strings(merged.services, 'services'),
      aliases: strings(merged.aliases, 'aliases'),
      ...(optionalText(merged.description, 'description') !== undefined ? { description: merged.description as string } : {}),
      ...(optionalText(merged.owner, 'owner') !== undefined ? { owner: merged.owner as string } : {}),
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
  }

  async createService(input: ServiceInput | Record<string, unknown>, actor = 'system'): Promise<Service> {
    const service = this.serviceFrom(input as Record<string, unknown>, null);
    if (await this.store.getService(service.name)) throw conflict(`service '${service.name}' already exists`);
    await this.checkServices(service.depends_on, 'depends_on');
    await this.checkCycle(service.name, service.depends_on);
    await this.store.putService(service);
    await this.trail(actor, 'create', 'service', service.name, null, service);
    return service;
  }

  async updateService(serviceName: string, patch: Record<string, unknown>, actor = 'system'): Promise<Service> {
    const existing = await this.store.getService(serviceName);
    if (!existing) throw notFound(`service '${serviceName}'`);
    if ('name' in patch && patch.name !== existing.name) throw badRequest('name: cannot be changed; create a new service', 'name');
    const service = this.serviceFrom(patch, existing);
    await this.checkServices(service.depends_on, 'depends_on');
    await this.checkCycle(service.name, service.depends_on);
    await this.store.putService(service);
    await this.trail(actor, 'update', 'service', service.name, existing, service);
    return service;
  }

  async deleteService(serviceName: string, actor = 'system'): Promise<void> {
    const lower = serviceName.toLowerCase();
    const dependents = (await this.store.allServices()).filter((s) => s.depends_on.some((d) => d.toLowerCase() === lower)).map((s) => s.name);
    if (dependents.length > 0) throw conflict(`services depend on '${serviceName}': ${dependents.join(', ')}`);
    const existing = await this.store.getService(serviceName);
    if (!existing || !(await this.store.deleteService(serviceName))) throw notFound(`service '${serviceName}'`);
    await this.trail(actor, 'delete', 'service', existing.name, existing, null);
  }

  async createAsset(input: AssetInput | Record<string, unknown>, actor = 'system'): Promise<Asset> {
    const asset = this.assetFrom(input as Record<string, unknown>, null);
    if (await this.store.getAsset(asset.name)) throw conflict(`asset '${asset.name}' already exists`);
    await this.checkServices(asset.services, 'services');
    await this.store.putAsset(asset);
    await this.trail(actor, 'create', 'asset', asset.name, null, asset);
    return asset;
  }

  async updateAsset(assetName: string, patch: Record<string, unknown>, actor = 'system'): Promise<Asset> {
    const existing = await this.store.getAsset(assetName);
    if (!existing) throw notFound(`asset '${assetName}'`);
    if ('name' in patch && patch.name !== existing.name) throw badRequest('name: cannot be changed; create a new asset', 'name');
    const asset = this.assetFrom(patch, existing);
    await this.checkServices(asset.services, 'services');
    await this.store.putAsset(asset);
    await this.trail(actor, 'update', 'asset', asset.name, existing, asset);
    return asset;
  }

  /** Import: the entry replaces the stored one entirely (only its creation time is kept). */
  private async replaceAsset(existing: Asset, entry: Record<string, unknown>, actor: string): Promise<void> {
    const asset = { ...this.assetFrom({ ...entry, name: existing.name }, null), created_at: existing.created_at };
    await this.checkServices(asset.services, 'services');
    await this.store.putAsset(asset);
    await this.trail(actor, 'replace', 'asset', asset.name, existing, asset);
  }

  private async replaceService(existing: Service, entry: Record<string, unknown>, actor: string): Promise<void> {
    const service = { ...this.serviceFrom({ ...entry, name: existing.name }, null), created_at: existing.created_at };
    await this.checkServices(service.depends_on, 'depends_on');
    await this.checkCycle(service.name, service.depends_on);
    await this.store.putService(service);
    await this.trail(actor, 'replace', 'service', service.name, existing, service);
  }

  async deleteAsset(assetName: string, actor = 'system'): Promise<void> {
    const existing = await this.store.getAsset(assetName);
    if (!existing || !(await this.store.deleteAsset(assetName))) throw notFound(`asset '${assetName}'`);
    await this.trail(actor, 'delete', 'asset', existing.name, existing, null);
  }

  getAsset(assetName: string): Promise<Asset | null> {
    return this.store.getAsset(assetName);
  }
  getService(serviceName: string): Promise<Service | null> {
    return this.store.getService(serviceName);
  }
  listAssets(limit: number, after?: string): Promise<Page<Asset>> {
    return this.store.listAssets(limit, after);
  }
  listServices(limit: number, after?: string): Promise<Page<Service>> {
    return this.store.listServices(limit, after);
  }

  /**
   * Bulk import: services first (in dependency order, whatever the file's order), then assets;
   * an existing name is replaced. Each bad entry is reported alone; the others are imported.
   */
  async import(data: { services?: unknown[]; assets?: unknown[] }, actor = 'system'): Promise<ImportReport> {
    const report: ImportReport = { services: { created: 0, updated: 0 }, assets: { created: 0, updated: 0 }, errors: [] };
    const nameOf = (x: unknown) => (x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string' ? (x as { name: string }).name : null);
    let pending = (data.services ?? []).map((entry, index) => ({ entry, index }));
    // Repeat while progress is made, so a service may come before what it depends on.
    for (let round = 0; pending.length > 0; round++) {
      const failed: Array<{ entry: unknown; index: number; error: VigilError | Error }> = [];
      for (const { entry, index } of pending) {
        try {
          const existing = nameOf(entry) ? await this.store.getService(nameOf(entry)!) : null;
          if (existing) await this.replaceService(existing, entry as Record<string, unknown>, actor);
          else await this.createService(entry as Record<string, unknown>, actor);
          report.services[existing ? 'updated' : 'created']++;
        } catch (error) {
          failed.push({ entry, index, error: error as Error });
        }
      }
      const progress = failed.length < pending.length;
      const retry = failed.filter((f) => f.error instanceof VigilError && f.error.code === 'invalid_reference');
      if (!progress || retry.length === 0) {
        for (const f of failed) report.errors.push({ kind: 'service', index: f.index, name: nameOf(f.entry), error: f.error.message });
        break;
      }
      for (const f of failed.filter((x) => !retry.includes(x))) report.errors.push({ kind: 'service', index: f.index, name: nameOf(f.entry), error: f.error.message });
      pending = retry.map(({ entry, index }) => ({ entry, index }));
    }
    for (const [index, entry] of (data.assets ?? []).entries()) {
      try {
        const existing = nameOf(entry) ? await this.store.getAsset(nameOf(entry)!) : null;
        if (existing) await this.replaceAsset(existing, entry as Record<string, unknown>, actor);
        else await this.createAsset(entry as Record<string, unknown>, actor);
        report.assets[existing ? 'updated' : 'created']++;
      } catch (error) {
        report.errors.push({ kind: 'asset', index, name: nameOf(entry), error: (error as Error).message });
      }
    }
    return report;
  }
}
