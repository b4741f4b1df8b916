// The filter of the sagas list, as it appears in the page address (#/sagas?status=FAILED&…)
// so that a filtered view can be bookmarked and shared, and as GET /v1/sagas parameters. Pure.
import { SAGA_STATUSES, type SagaStatus } from '../api/types';

export interface SagaFilter {
  statuses: SagaStatus[];
  definition?: string;
  businessKey?: string;
  /** ISO-8601, inclusive. */
  createdFrom?: string;
  /** ISO-8601, exclusive. */
  createdTo?: string;
}

export const EMPTY_FILTER: SagaFilter = { statuses: [] };

export function filterFromParams(params: URLSearchParams): SagaFilter {
  const statuses = (params.get('status') ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s): s is SagaStatus => (SAGA_STATUSES as readonly string[]).includes(s));
  const text = (name: string) => params.get(name)?.trim() || undefined;
  return { statuses: [...new Set(statuses)], definition: text('definition'), businessKey: text('businessKey'), createdFrom: text('createdFrom'), createdTo: text('createdTo') };
}

export function filterToParams(f: SagaFilter): URLSearchParams {
  const p = new URLSearchParams();
  if (f.statuses.length > 0) p.set('status', f.statuses.join(','));
  if (f.definition) p.set('definition', f.definition);
  if (f.businessKey) p.set('businessKey', f.businessKey);
  if (f.createdFrom) p.set('createdFrom', f.createdFrom);
  if (f.createdTo) p.set('createdTo', f.createdTo);
  return p;
}

/** "Needs an operator" is the FAILED status alone. */
export function needsOperatorOnly(f: SagaFilter): boolean {
  return f.statuses.length === 1 && f.statuses[0] === 'FAILED';
}
