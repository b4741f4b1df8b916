// The "needs attention" view: FAILED sagas (waiting for an operator) grouped by why they
// wait, so that one cause (a participant down, a bad deploy) is repaired in one bulk
// action. The reason of a saga is the needsAttention reason of its waiting steps. Pure.
import type { SagaDetail } from '../api/types';

export interface AttentionItem {
  sagaId: string;
  definition: string;
  version: number;
  businessKey: string | null;
  steps: { name: string; reason: string; message: string; at: string }[];
  compensationCause: string | null;
  updatedAt: string;
}

export interface AttentionGroup {
  /** One reason code, or several joined by " + " when a saga waits for different reasons. */
  reason: string;
  items: AttentionItem[];
  definitions: string[];
  /** The most frequent step messages, for a first idea of the cause. */
  messages: { message: string; count: number }[];
}

export function attentionItem(saga: SagaDetail): AttentionItem {
  return {
    sagaId: saga.sagaId,
    definition: saga.definition.name,
    version: saga.definition.version,
    businessKey: saga.businessKey,
    steps: saga.steps.filter((s) => s.needsAttention !== null).map((s) => ({ name: s.name, ...s.needsAttention! })),
    compensationCause: saga.compensationReason?.cause ?? null,
    updatedAt: saga.updatedAt,
  };
}

export function groupByReason(items: AttentionItem[]): AttentionGroup[] {
  const groups = new Map<string, AttentionItem[]>();
  for (const item of items) {
    const reasons = [...new Set(item.steps.map((s) => s.reason))].sort();
    const reason = reasons.length > 0 ? reasons.join(' + ') : 'UNKNOWN';
    groups.set(reason, [...(groups.get(reason) ?? []), item]);
  }
  return [...groups.entries()]
    .map(([reason, members]) => ({
      reason,
      items: members,
      definitions: [...new Set(members.map((m) => m.definition))].sort(),
      messages: topMessages(members),
    }))
    .sort((a, b) => b.items.length - a.items.length || a.reason.localeCompare(b.reason));
}

function topMessages(items: AttentionItem[], n = 3): { message: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const item of items) for (const s of item.steps) counts.set(s.message, (counts.get(s.message) ?? 0) + 1);
  return [...counts.entries()]
    .map(([message, count]) => ({ message, count }))
    .sort((a, b) => b.count - a.count || a.message.localeCompare(b.message))
    .slice(0, n);
}
