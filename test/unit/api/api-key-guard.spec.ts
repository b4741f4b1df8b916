// The guard's decisions, with the key check stubbed: authentication first, then the
// route's role; a route that declares no role is refused, not left open.
import { ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyGuard, REQUIRED_ROLE } from '../../../src/api/auth/api-key.guard';
import type { ApiKeyService } from '../../../src/api/auth/api-key.service';
import { AuthFailureLimiter } from '../../../src/api/auth/auth-failure-limiter';
import { ANONYMOUS, principalOf, type ApiRole, type AuthenticatedRequest } from '../../../src/api/auth/principal';
import { ApiKeyInvalidError, ApiKeyMissingError, RoleForbiddenError, RouteNotAuthorizedError, TooManyFailedAuthenticationsError } from '../../../src/api/errors/api-errors';

class Routes {
  viewer(): void {}
  admin(): void {}
  undeclared(): void {}
}
SetMetadata(REQUIRED_ROLE, 'viewer')(Routes.prototype, 'viewer', Object.getOwnPropertyDescriptor(Routes.prototype, 'viewer')!);
SetMetadata(REQUIRED_ROLE, 'admin')(Routes.prototype, 'admin', Object.getOwnPropertyDescriptor(Routes.prototype, 'admin')!);

function context(handler: keyof Routes, headers: Record<string, string>, remoteAddress = '10.0.0.1'): { ctx: ExecutionContext; req: AuthenticatedRequest } {
  const req = { headers, socket: { remoteAddress } } as unknown as AuthenticatedRequest;
  const ctx = {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
  return { ctx, req };
}

function guard(keys: Record<string, ApiRole>, authDisabled = false, limiter = new AuthFailureLimiter({ perMinute: 1000 })): ApiKeyGuard {
  const service = {
    authDisabled,
    authenticate: async (presented: string) => (keys[presented] ? principalOf({ name: `${keys[presented]}-key`, role: keys[presented] }, 'environment') : undefined),
  } as unknown as ApiKeyService;
  return new ApiKeyGuard(new Reflector(), service, limiter);
}

describe('ApiKeyGuard', () => {
  const keys: Record<string, ApiRole> = { 'v-key': 'viewer', 'a-key': 'admin' };

  it('admits a key whose role is enough and attaches the caller to the request', async () => {
    const { ctx, req } = context('viewer', { authorization: 'Bearer a-key' });
    await expect(guard(keys).canActivate(ctx)).resolves.toBe(true);
    expect(req.principal).toEqual({ name: 'admin-key', role: 'admin', source: 'environment', actor: 'api-key:admin-key' });
  });

  it('refuses a missing key, an unknown key, and a role too low, in that order', async () => {
    await expect(guard(keys).canActivate(context('admin', {}).ctx)).rejects.toBeInstanceOf(ApiKeyMissingError);
    await expect(guard(keys).canActivate(context('admin', { 'x-api-key': 'nope' }).ctx)).rejects.toBeInstanceOf(ApiKeyInvalidError);
    await expect(guard(keys).canActivate(context('admin', { 'x-api-key': 'v-key' }).ctx)).rejects.toBeInstanceOf(RoleForbiddenError);
  });

  it('refuses every caller on a route that declares no role', async () => {
    await expect(guard(keys).canActivate(context('undeclared', { authorization: 'Bearer a-key' }).ctx)).rejects.toBeInstanceOf(RouteNotAuthorizedError);
    await expect(guard(keys, true).canActivate(context('undeclared', {}).ctx)).rejects.toBeInstanceOf(RouteNotAuthorizedError);
  });

  it('with authentication disabled, admits anyone as the anonymous admin', async () => {
    const { ctx, req } = context('admin', {});
    await expect(guard({}, true).canActivate(ctx)).resolves.toBe(true);
    expect(req.principal).toBe(ANONYMOUS);
  });

  it('answers 429 with Retry-After once a client has used up its failures, and never refuses a valid key', async () => {
    const g = guard(keys, false, new AuthFailureLimiter({ perMinute: 2, now: () => 0 }));
    await expect(g.canActivate(context('viewer', {}).ctx)).rejects.toBeInstanceOf(ApiKeyMissingError);
    await expect(g.canActivate(context('viewer', { 'x-api-key': 'nope' }).ctx)).rejects.toBeInstanceOf(ApiKeyInvalidError);
    const limited = await g.canActivate(context('viewer', { 'x-api-key': 'nope' }).ctx).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(TooManyFailedAuthenticationsError);
    expect((limited as TooManyFailedAuthenticationsError).headers).toEqual({ 'Retry-After': '30' });
    await expect(g.canActivate(context('viewer', {}).ctx)).rejects.toBeInstanceOf(TooManyFailedAuthenticationsError);
    await expect(g.canActivate(context('viewer', { 'x-api-key': 'v-key' }).ctx)).resolves.toBe(true);
    // Another address has its own budget.
    await expect(g.canActivate(context('viewer', {}, '10.0.0.2').ctx)).rejects.toBeInstanceOf(ApiKeyMissingError);
  });
});
