/**
 * Roles of API tokens. `ingest` may only send data; `viewer` may only read;
 * `analyst` reads, sends and works incidents; `admin` may do everything.
 */
export const ROLES = ['viewer', 'ingest', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route needs. */
export type Permission = 'read' | 'ingest' | 'write' | 'admin';

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(['read']),
  ingest: new Set(['ingest']),
  analyst: new Set(['read', 'ingest', 'write']),
  admin: new Set(['read', 'ingest', 'write', 'admin']),
};

export const roleAllows = (role: Role, permission: Permission): boolean => GRANTS[role].has(permission);
export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
