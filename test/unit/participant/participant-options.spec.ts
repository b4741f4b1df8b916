import { compileParticipantOptions } from '../../../packages/participant/src/participant-options';
import { InvalidParticipantOptionsError } from '@saga-coordinator/participant';

describe('participant options', () => {
  it('fills every default once', () => {
    const o = compileParticipantOptions({ name: 'payments', kafka: { brokers: ['b:9092'] }, logger: 'silent' });
    expect(o).toMatchObject({
      name: 'payments',
      topicPrefix: 'saga',
      database: null,
      migrate: true,
      groupId: 'saga.participant.payments',
      partitionsConsumedConcurrently: 6,
      sagasPerPartition: 4,
      commandsPerTransaction: 32,
      topicPartitions: 6,
      skipExpiredExecutes: true,
      sessionTimeoutMs: 10_000,
    });
  });

  it('names every problem at once', () => {
    let error: InvalidParticipantOptionsError | undefined;
    try {
      compileParticipantOptions({ name: 'pay:ments', kafka: { brokers: [] }, topicPrefix: 'has space', sagasPerPartition: 0 });
    } catch (err) {
      error = err as InvalidParticipantOptionsError;
    }
    expect(error).toBeInstanceOf(InvalidParticipantOptionsError);
    expect(error).toMatchObject({ code: 'INVALID_PARTICIPANT_OPTIONS', retriable: false });
    expect(error!.problems).toEqual([expect.stringMatching(/^name/), expect.stringMatching(/^topicPrefix/), expect.stringMatching(/^kafka/), expect.stringMatching(/^sagasPerPartition/)]);
  });
});
