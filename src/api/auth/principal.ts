// Who is calling: the API key's name and role. The name is what saga history records.
import type { Request } from 'express';
import { API_ROLES, type ApiRole } from '../../config/api-key-list';

export type { ApiRole };

export interface Principal {
  name: string;
  role: ApiRole;
  source: 'environment' | 'database' | 'auth-disabled';
  /** Recorded as the actor of every event this caller causes. */
  actor: string;
}

/** Roles are ordered: each may do everything the ones before it may. */
export function roleAllows(role: ApiRole, required: ApiRole): boolean {
  return API_ROLES.indexOf(role) >= API_ROLES.indexOf(required);
}

export function principalOf(key: { name: string; role: ApiRole }, source: 'environment' | 'database'): Principal {
  return { name: key.name, role: key.role, source, actor: `api-key:${key.name}` };
}

/** The caller when API_AUTH=disabled (loopback only). */
export const ANONYMOUS: Principal = Object.freeze({ name: 'anonymous', role: 'admin', source: 'auth-disabled', actor: 'anonymous' });

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}
