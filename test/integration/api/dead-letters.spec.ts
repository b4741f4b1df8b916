// GET /v1/dead-letters: what the coordinator could not use, newest first, with the reason,
// where it came from and the start of the message, read from the dead_letters table after
// real bad messages on the real replies and start topics.
import { topicNames } from '@saga-coordinator/participant/protocol';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { waitFor } from '../../support/saga-waits';
import { infraEnv } from '../../support/test-infra';
import { ApiTestApp, startApiTestApp } from './support/api-test-app';

describe('GET /v1/dead-letters', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp();
    const topics = topicNames(api.h.prefix);
    const bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'dead-letters-test' });
    await bus.connect();
    try {
      await bus.publish([{ topic: topics.replies, key: 'reply-key', value: '{"half": ' }]);
      await waitFor('the first dead letter', async () => ((await api.as('viewer').get('/v1/dead-letters')).body.items?.length === 1 ? true : undefined));
      await bus.publish([{ topic: topics.start, key: 'start-key', value: JSON.stringify({ protocolVersion: 1, definition: 'no-such-definition' }) }]);
      await waitFor('both dead letters', async () => ((await api.as('viewer').get('/v1/dead-letters')).body.items?.length === 2 ? true : undefined));
    } finally {
      await bus.disconnect();
    }
  });

  afterAll(async () => {
    await api?.close();
  });

  it('lists them newest first with reason, source and the message text, for a viewer', async () => {
    const res = await api.as('viewer').get('/v1/dead-letters').expect(200);
    const [start, reply] = res.body.items;
    const topics = topicNames(api.h.prefix);
    expect(reply).toMatchObject({ reasonCode: 'MALFORMED_REPLY', by: 'coordinator', key: 'reply-key', value: '{"half": ', valueBytes: 9, source: { topic: topics.replies, partition: expect.any(Number), offset: expect.stringMatching(/^\d+$/) } });
    expect(reply.reason).toMatch(/not valid JSON/);
    expect(start).toMatchObject({ reasonCode: 'MALFORMED_START_REQUEST', key: 'start-key', source: { topic: topics.start } });
    expect(Date.parse(start.deadLetteredAt)).toBeGreaterThanOrEqual(Date.parse(reply.deadLetteredAt));
  });

  it('takes a limit and a reason code, and refuses bad ones and a missing key', async () => {
    expect((await api.as('viewer').get('/v1/dead-letters?limit=1').expect(200)).body.items.map((d: { reasonCode: string }) => d.reasonCode)).toEqual(['MALFORMED_START_REQUEST']);
    expect((await api.as('viewer').get('/v1/dead-letters?reasonCode=MALFORMED_REPLY').expect(200)).body.items.map((d: { key: string }) => d.key)).toEqual(['reply-key']);
    const bad = await api.as('viewer').get('/v1/dead-letters?limit=0').expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['limit']);
    await api.as('viewer').get('/v1/dead-letters?offset=3').expect(400);
    await api.http.get('/v1/dead-letters').expect(401);
  });
});
