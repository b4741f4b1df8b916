// Static membership, as far as kafkajs allows it. A process that was SIGKILLed never left its
// consumer group: its member holds its partitions until the session timeout expires, and a
// rebalance started meanwhile (its own restart joining, say) waits for that expiry too; two
// kills a few seconds apart chain two such waits. Kafka's answer is group.instance.id (KIP-345),
// which kafkajs does not implement. So a subscriber that names a stable instance carries it
// in its client id, and before it joins it removes, with LeaveGroup, the members an earlier
// run of the same instance left behind: the group rebalances at once.
// Rejected: rejoining with the dead member's memberId (no rebalance at all) needs kafkajs's
// ConsumerGroup internals, which carry more state than the id; a shorter session timeout alone
// (the broker's group.min.session.timeout.ms is 6 s by default) expels live members of a busy box.
import type { Kafka } from 'kafkajs';

/** The client id a member of `instanceId` joins with: what marks its earlier runs in the group's description. */
export function instanceClientId(clientId: string, instanceId: string): string {
  return `${clientId}#${instanceId}`;
}

/** The members an earlier run of this instance left: those with its client id (this run has not joined yet). */
export function earlierRuns(members: readonly { memberId: string; clientId: string }[], memberClientId: string): string[] {
  return members.filter((m) => m.clientId === memberClientId).map((m) => m.memberId);
}

/** The part of kafkajs's cluster this needs; kafkajs 2.2 builds one per client (admin, producer, consumer). */
interface GroupCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<{ leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown> }>;
}

/**
 * Removes `memberIds` from `groupId`. kafkajs's admin has no LeaveGroup for another member,
 * so this uses the cluster factory every kafkajs client is built from (a private symbol of
 * the pinned kafkajs 2.2; without it nothing is removed and the group waits for the session
 * timeout, as before). A member that expired meanwhile is skipped (not counted).
 */
export async function removeGroupMembers(kafka: Kafka, groupId: string, memberIds: readonly string[]): Promise<{ removed: number; unsupported?: true }> {
  const factory = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const createCluster = factory && (kafka as unknown as Record<symbol, unknown>)[factory];
  if (typeof createCluster !== 'function') return { removed: 0, unsupported: true };
  const cluster = (createCluster as (options: { allowAutoTopicCreation: boolean }) => GroupCluster)({ allowAutoTopicCreation: false });
  await cluster.connect();
  try {
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    let removed = 0;
    for (const memberId of memberIds) {
      try {
        await coordinator.leaveGroup({ groupId, memberId });
        removed++;
      } catch (err) {
        if ((err as { type?: string }).type !== 'UNKNOWN_MEMBER_ID') throw err;
      }
    }
    return { removed };
  } finally {
    await cluster.disconnect().catch(() => undefined);
  }
}
