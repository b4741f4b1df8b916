// Authenticates every /v1 request by its API key and checks the route's role. A route
// that declares no role is refused: forgetting the decorator must close a door, not open it.
// A missing or wrong key counts against the client's limit of failures (AuthFailureLimiter).
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError, ApiKeyInvalidError, ApiKeyMissingError, RoleForbiddenError, RouteNotAuthorizedError, TooManyFailedAuthenticationsError } from '../errors/api-errors';
import { ApiKeyService } from './api-key.service';
import { AuthFailureLimiter, clientOfAddress } from './auth-failure-limiter';
import { ANONYMOUS, ApiRole, AuthenticatedRequest, roleAllows } from './principal';

export const REQUIRED_ROLE = 'saga-coordinator:required-role';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    private readonly failures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<ApiRole | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]);
    if (required === undefined) throw new RouteNotAuthorizedError();
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    let principal = ANONYMOUS;
    if (!this.keys.authDisabled) {
      const presented = presentedKey(req);
      if (presented === undefined) throw this.failed(req, new ApiKeyMissingError());
      const found = await this.keys.authenticate(presented);
      if (!found) throw this.failed(req, new ApiKeyInvalidError());
      principal = found;
    }
    if (!roleAllows(principal.role, required)) throw new RoleForbiddenError(principal.role, required);
    req.principal = principal;
    return true;
  }

  private failed(req: AuthenticatedRequest, error: ApiError): ApiError {
    const retryAfterSeconds = this.failures.fail(clientOfAddress(req.socket?.remoteAddress));
    return retryAfterSeconds > 0 ? new TooManyFailedAuthenticationsError(retryAfterSeconds) : error;
  }
}

/** The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`; an Authorization of another scheme counts as a wrong key. */
export function presentedKey(req: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const auth = single(req.headers.authorization);
  if (auth !== undefined && auth.trim() !== '') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : '';
  }
  const header = single(req.headers['x-api-key'])?.trim();
  return header ? header : undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
