// Unknown query parameters are refused on every /v1 endpoint, so a misspelt option never
// passes silently. A handler that binds its query (`@Query() q: ListSagasQuery`) has it
// checked by the ValidationPipe against its DTO; every other handler takes none, and
// this guard answers any parameter it is sent with the same 400 the pipe would give.
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import { RequestValidationError } from '../errors/api-errors';

@Injectable()
export class NoQueryParametersGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const names = Object.keys(context.switchToHttp().getRequest<Request>().query ?? {});
    if (names.length === 0 || bindsQuery(context)) return true;
    throw new RequestValidationError(names.map((name) => ({ field: name, message: `property ${name} should not exist` })));
  }
}

/** Whether the handler has a @Query() parameter (Nest records route parameters as `<type>:<index>` keys). */
function bindsQuery(context: ExecutionContext): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<string, unknown>;
  return Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
}
