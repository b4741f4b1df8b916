// The dashboard's one error: the coordinator runs from a tree where the bundle was never built.
import { ApiError } from '../api/errors/api-errors';

export class DashboardNotBuiltError extends ApiError {
  readonly status = 404;
  readonly code = 'DASHBOARD_NOT_BUILT';
  override readonly name = 'DashboardNotBuiltError';
  constructor() {
    super('the dashboard is not built in this installation: run `npm run build` (or `npm run build:dashboard`) and reload');
  }
}
