// Bodies are JSON. Without this a form or text body would be ignored by the JSON parser
// and answered with confusing "field is missing" errors instead of saying what is wrong.
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { UnsupportedMediaTypeError } from '../errors/api-errors';

export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(JSON_MEDIA_TYPES)) throw new UnsupportedMediaTypeError();
    return true;
  }
}
