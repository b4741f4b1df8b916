// Decorators every /v1 controller uses: the guards (authentication, then JSON bodies and
// query parameters), the role each route needs, and the caller as a handler parameter.
// The OpenAPI document learns the security schemes and the required role from the same place.
import { applyDecorators, Controller, createParamDecorator, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ProblemResponse } from '../errors/problem-response.decorator';
import { ApiKeyGuard, REQUIRED_ROLE } from './api-key.guard';
import { NoQueryParametersGuard } from '../validation/no-query-parameters.guard';
import { JsonBodyGuard } from './json-body.guard';
import type { ApiRole, AuthenticatedRequest, Principal } from './principal';

/** A controller under /v1 whose every route needs an API key. */
export function ApiV1Controller(path: string, tag: string): ClassDecorator {
  return applyDecorators(
    Controller(`v1/${path}`),
    UseGuards(ApiKeyGuard, JsonBodyGuard, NoQueryParametersGuard),
    ApiTags(tag),
    ApiBearerAuth(),
    ApiSecurity('api-key'),
    ProblemResponse(400, 'VALIDATION_FAILED (field errors in `errors`) or MALFORMED_REQUEST'),
    ProblemResponse(401, 'no API key, or an unknown or revoked one (API_KEY_MISSING, API_KEY_INVALID)'),
    ProblemResponse(403, "the key's role may not call this endpoint (FORBIDDEN)"),
  );
}

/** The least role a route needs: viewer < operator < admin. */
export function RequireRole(role: ApiRole): MethodDecorator {
  return applyDecorators(SetMetadata(REQUIRED_ROLE, role), ApiExtension('x-required-role', role));
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without ApiKeyGuard');
  return principal;
});
