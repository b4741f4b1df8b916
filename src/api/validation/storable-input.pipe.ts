// The first pipe every body, query and path parameter meets, before class-validator:
// what PostgreSQL cannot store (NUL, lone surrogates), numbers that are not finite
// (`1e400`) and nesting deeper than MAX_JSON_DEPTH are refused with a 400 naming the
// field. It runs first because the ValidationPipe and class-transformer recurse and
// would overflow the stack on a deep body, and because nothing unstorable may reach
// the services.
import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { unstorableJsonProblems } from '@saga-coordinator/participant/protocol';
import { RequestValidationError } from '../errors/api-errors';

@Injectable()
export class StorableInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query' && metadata.type !== 'param') return value;
    // A parameter bound by name (@Query('x')) is one value; name it so the path does.
    const problems = unstorableJsonProblems(value, { path: metadata.data ?? '', maxProblems: 10 });
    if (problems.length > 0) throw new RequestValidationError(problems.map((p) => ({ field: p.path || '(body)', message: `${p.path || 'the body'} ${p.message}` })));
    return value;
  }
}
