// The RFC 9457 problem document every error answer carries. Dependency-free (node:http
// only), so that the HTTP port bound before the application loads answers in the same
// shape as the application (see starting-answers.ts).
import { STATUS_CODES } from 'node:http';
import type { FieldError } from './api-errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function problemType(code: string): string {
  return `urn:saga-coordinator:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

export function problem(status: number, code: string, detail: string, extra: Partial<ProblemDocument> = {}): ProblemDocument {
  return { type: problemType(code), title: STATUS_CODES[status] ?? 'Error', status, detail, code, ...extra };
}
