// The one exception filter: every error, from a guard, a pipe, a controller, the body
// parser or the router, leaves as application/problem+json (see problem-mapping.ts);
// the health endpoints alone keep their own format.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE } from './problem-document';
import { mapErrorToProblem } from './problem-mapping';
import { submittedValues } from './submitted-values';

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Api');

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    // The health endpoints answer in Terminus's format (503 with the failing dependency), which probes expect.
    if (err instanceof HttpException && err.getStatus() === 503 && isHealthPath(req.path)) {
      res.status(err.getStatus()).json(err.getResponse());
      return;
    }
    // The path only: a query string may carry filter values nobody asked to see in an error body.
    const { problem, headers, unexpected } = mapErrorToProblem(err, req.path, submittedValues(req));
    if (unexpected) {
      const e = err instanceof Error ? err : new Error(String(err));
      this.logger.error(`${req.method} ${req.path} failed (${problem.status}): ${e.message}`, e.stack);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}

function isHealthPath(path: string): boolean {
  return path === '/health' || path.startsWith('/health/');
}
