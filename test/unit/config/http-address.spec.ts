// The HTTP address read before the configuration is validated must never bind what the
// validation would then read differently: whatever it accepts, loadConfig accepts the same.
import fc from 'fast-check';
import { loadConfig } from '../../../src/config/app-config';
import { readHttpAddress } from '../../../src/config/http-address';

describe('readHttpAddress', () => {
  it('reads the defaults, the environment, and .local/infra.env under it, as loadConfig does', () => {
    expect(readHttpAddress({})).toEqual({ host: '0.0.0.0', port: 3000 });
    expect(readHttpAddress({ HTTP_PORT: '8080', HTTP_HOST: '127.0.0.1' })).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(readHttpAddress({}, { HTTP_PORT: '3005' })).toEqual({ host: '0.0.0.0', port: 3005 });
    // An empty variable is unset, and hides .local/infra.env's value as it does for loadConfig.
    expect(readHttpAddress({ HTTP_PORT: '' }, { HTTP_PORT: '3005' })).toEqual({ host: '0.0.0.0', port: 3000 });
    expect(loadConfig({ HTTP_PORT: '' }, { HTTP_PORT: '3005' }).HTTP_PORT).toBe(3000);
    expect(readHttpAddress({ HTTP_PORT: '3006' }, { HTTP_PORT: '3005' })).toEqual({ host: '0.0.0.0', port: 3006 });
    expect(readHttpAddress({ HTTP_PORT: ' 3007 ' })).toEqual({ host: '0.0.0.0', port: 3007 });
  });

  it.each(['abc', '70000', '-1', '1e3', '3000.5', ''.padEnd(6, '9')])('leaves HTTP_PORT=%s to loadConfig, which refuses it', (value) => {
    expect(readHttpAddress({ HTTP_PORT: value })).toBeUndefined();
    expect(() => loadConfig({ HTTP_PORT: value })).toThrow(/HTTP_PORT/);
  });

  it('leaves a host with white space to loadConfig, which refuses it', () => {
    expect(readHttpAddress({ HTTP_HOST: 'local host' })).toBeUndefined();
    expect(() => loadConfig({ HTTP_HOST: 'local host' })).toThrow(/HTTP_HOST/);
  });

  it('accepts only what loadConfig accepts, with the same host and port', () => {
    const portText = fc.oneof(fc.integer({ min: -5, max: 70_000 }).map(String), fc.string({ maxLength: 7 }), fc.constantFrom(' 80', '080', '00000', '65535', '65536'));
    const hostText = fc.oneof(fc.constantFrom('0.0.0.0', '127.0.0.1', '::1', 'localhost', ''), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(portText, hostText, (HTTP_PORT, HTTP_HOST) => {
        const env = { HTTP_PORT, HTTP_HOST, API_AUTH: 'disabled' as const };
        const early = readHttpAddress(env);
        if (!early) return;
        // API_AUTH=disabled needs a loopback host: only that rule may refuse what the early read accepted.
        const loopback = ['127.0.0.1', 'localhost', '::1'].includes(early.host);
        const config = loadConfig(loopback ? env : { HTTP_PORT, HTTP_HOST });
        expect({ host: config.HTTP_HOST, port: config.HTTP_PORT }).toEqual(early);
      }),
      { numRuns: 500 },
    );
  });
});
