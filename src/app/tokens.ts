import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { badRequest, conflict, isRole, notFound, type Role } from '../core/index.ts';
import { newId, randomToken, sha256Hex } from '../lib/index.ts';
import type { TokenRecord, TokenStore } from '../store/index.ts';
import type { AuditTrail } from './audit.ts';

export const TOKEN_PREFIX = 'vgl_';

export interface IssuedToken {
  /** The secret: shown once, never stored. */
  token: string;
  record: TokenRecord;
}

/** API tokens: issued, verified by hash, listed, revoked. */
export class TokenService {
  private readonly cache = new Map<string, { record: TokenRecord | null; until: number }>();

  constructor(
    private readonly store: TokenStore,
    private readonly audit?: AuditTrail,
    private readonly cacheMs = 5000,
  ) {}

  async create(role: string, name?: string, actor = 'system'): Promise<IssuedToken> {
    if (!isRole(role)) throw badRequest(`unknown role '${role}': expected viewer, ingest, analyst or admin`, 'role');
    const token = TOKEN_PREFIX + randomToken(40);
    const id = `tok_${newId().slice(-12).toLowerCase()}`;
    const finalName = name?.trim() || `${role}-${id.slice(4)}`;
    if (!/^[\w.@-]{1,64}$/.test(finalName)) throw badRequest('name must be 1-64 letters, digits, _ . @ or -', 'name');
    try {
      const record = await this.store.createToken({ id, name: finalName, role, hash: sha256Hex(token) });
      await this.audit?.record({ actor, action: 'token.create', object_type: 'token', object_id: record.id, before: null, after: record });
      return { token, record };
    } catch (error) {
      if (/UNIQUE/.test((error as Error).message)) throw conflict(`a token named '${finalName}' already exists`);
      throw error;
    }
  }

  /** The token's record when it is valid and not revoked. */
  async verify(token: string): Promise<TokenRecord | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const hash = sha256Hex(token);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.record;
    const found = await this.store.findTokenByHash(hash);
    const record = found && !found.revoked_at ? found : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { record, until: now + this.cacheMs });
    if (record) this.store.touchToken(record.id, new Date(now));
    return record;
  }

  list(): Promise<TokenRecord[]> {
    return this.store.listTokens();
  }

  async revoke(idOrName: string, actor = 'system'): Promise<TokenRecord> {
    const record = await this.store.revokeToken(idOrName);
    if (!record) throw notFound(`token '${idOrName}'`);
    this.cache.clear();
    await this.audit?.record({ actor, action: 'token.revoke', object_type: 'token', object_id: record.id, before: { ...record, revoked_at: null }, after: record });
    return record;
  }

  /**
   * On the first start (no token at all) issues an admin token and writes it to
   * `<data>/admin.token` with mode 0600. Returns the token then, or null.
   */
  async bootstrapAdmin(dataDir: string): Promise<string | null> {
    if ((await this.store.countTokens()) > 0) return null;
    const { token } = await this.create('admin' satisfies Role, 'admin', 'system:first-start');
    const file = adminTokenPath(dataDir);
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return token;
  }
}

export const adminTokenPath = (dataDir: string): string => join(dataDir, 'admin.token');
