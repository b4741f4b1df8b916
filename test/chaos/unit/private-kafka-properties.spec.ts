import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokerProperties } from '../../harness/private-kafka';

describe('the private broker configuration', () => {
  const template = readFileSync(join(__dirname, '..', '..', '..', 'docker', 'kafka', 'server.properties'), 'utf8');

  it("is docker/kafka/server.properties on the broker's own ports and data directory", () => {
    const props = brokerProperties(template, { port: 41001, controllerPort: 41002, dataDir: '/tmp/run/data' });
    expect(props).toMatch(/^listeners=PLAINTEXT:\/\/127\.0\.0\.1:41001,CONTROLLER:\/\/127\.0\.0\.1:41002$/m);
    expect(props).toMatch(/^advertised\.listeners=PLAINTEXT:\/\/127\.0\.0\.1:41001$/m);
    expect(props).toMatch(/^controller\.quorum\.voters=1@127\.0\.0\.1:41002$/m);
    expect(props).toMatch(/^log\.dirs=\/tmp\/run\/data$/m);
    expect(props).not.toMatch(/9092|9093|@LOG_DIRS@/);
  });

  it('refuses a template whose listeners it does not recognise', () => {
    expect(() => brokerProperties('listeners=PLAINTEXT://0.0.0.0:19092\nlog.dirs=@LOG_DIRS@\n', { port: 1, controllerPort: 2, dataDir: '/d' })).toThrow(/update private-kafka\.ts/);
  });
});
