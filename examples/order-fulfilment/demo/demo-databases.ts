// The demo's own databases on the PostgreSQL server it was given: one for the
// coordinator and one per participant service, named after the run, dropped at the end
// (unless --keep), so a demo never touches a coordinator that is already running.
import { createThrowawayDatabases } from '../../../test/harness/throwaway-databases';
import { PARTICIPANTS, type ParticipantName } from '../order';

export interface DemoDatabases {
  coordinator: string;
  participants: Record<ParticipantName, string>;
  names: string[];
  drop(): Promise<void>;
}

export async function createDemoDatabases(serverUrl: string, runId: string): Promise<DemoDatabases> {
  const name = (part: string) => `saga_demo_${runId}_${part}`;
  const names = [name('coordinator'), ...PARTICIPANTS.map(name)];
  const dbs = await createThrowawayDatabases(serverUrl, names);
  return {
    coordinator: dbs.urls[name('coordinator')],
    participants: Object.fromEntries(PARTICIPANTS.map((p) => [p, dbs.urls[name(p)]])) as Record<ParticipantName, string>,
    names,
    drop: dbs.drop,
  };
}
