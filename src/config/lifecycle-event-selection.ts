// The LIFECYCLE_EVENTS variable: which lifecycle events the coordinator publishes on the
// events topic. Every event is still decided and kept in the saga's history; this only
// chooses what goes to Kafka. A 3-step saga publishes 8 events by default, more than its
// 3 commands: a deployment that follows only outcomes need not pay for the rest.
import { LIFECYCLE_EVENT_TYPES, type LifecycleEventType } from '@saga-coordinator/participant/protocol';

export type LifecycleEventSelection = { ok: true; types: LifecycleEventType[] } | { ok: false; problems: string[] };

const GROUPS: Record<string, LifecycleEventType[]> = {
  all: [...LIFECYCLE_EVENT_TYPES],
  none: [],
  'saga.*': LIFECYCLE_EVENT_TYPES.filter((t) => t.startsWith('saga.')),
  'step.*': LIFECYCLE_EVENT_TYPES.filter((t) => t.startsWith('step.')),
};

/** Parses `all`, `none`, or a comma-separated list of event types and `saga.*` / `step.*`. */
export function parseLifecycleEventSelection(text: string): LifecycleEventSelection {
  const items = text.split(',').map((i) => i.trim());
  const types = new Set<LifecycleEventType>();
  const problems: string[] = [];
  for (const item of items) {
    const group = GROUPS[item];
    if (group) group.forEach((t) => types.add(t));
    else if ((LIFECYCLE_EVENT_TYPES as readonly string[]).includes(item)) types.add(item as LifecycleEventType);
    else problems.push(`${item === '' ? 'an empty entry' : `'${item}'`} is not a lifecycle event type: use all, none, saga.*, step.*, or types among ${LIFECYCLE_EVENT_TYPES.join(', ')}`);
  }
  if (problems.length === 0 && items.length > 1 && items.some((i) => i === 'all' || i === 'none')) problems.push(`'all' and 'none' stand alone, not in a list`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, types: LIFECYCLE_EVENT_TYPES.filter((t) => types.has(t)) };
}
