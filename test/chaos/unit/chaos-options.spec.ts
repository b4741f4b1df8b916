import { CHAOS_DEFAULTS, ChaosUsageError, FULL_FAULTS, parseChaosOptions, parseFaults, SHORT_FAULTS } from '../chaos-options';

describe('npm run chaos options', () => {
  it('defaults to the full run of issue 8: 3000 orders at 15/s with 5 coordinator kills, 3 payments kills, 2 broker stops, 1 PostgreSQL restart', () => {
    const o = parseChaosOptions([]);
    expect(o).toEqual(CHAOS_DEFAULTS);
    expect(o.orders / o.rate).toBe(200);
    expect(FULL_FAULTS).toEqual({ 'coordinator-kill': 5, 'payments-kill': 3, 'broker-term': 1, 'broker-kill': 1, 'postgres-restart': 1 });
  });

  it('--short is a few hundred sagas in about a minute with every fault kind at least once; explicit options win in any order', () => {
    const o = parseChaosOptions(['--short']);
    expect(o.orders).toBeGreaterThanOrEqual(200);
    expect(o.orders).toBeLessThanOrEqual(500);
    expect(o.orders / o.rate).toBeLessThanOrEqual(90);
    expect(Object.values(SHORT_FAULTS).every((n) => n >= 1)).toBe(true);
    expect(parseChaosOptions(['--orders', '50', '--short']).orders).toBe(50);
  });

  it('parses every option, inline or separate', () => {
    const o = parseChaosOptions(['--orders=10', '--rate', '2.5', '--via', 'rest', '--replicas', '2', '--seed', '7', '--keep', '--json', '/tmp/x.json', '--coordinator-env', 'KAFKA_SESSION_TIMEOUT_MS=6000', '--faults', 'broker-term=2']);
    expect(o).toMatchObject({ orders: 10, rate: 2.5, via: 'rest', replicas: 2, seed: 7, keep: true, json: '/tmp/x.json', coordinatorEnv: { KAFKA_SESSION_TIMEOUT_MS: '6000' } });
    expect(o.faults).toEqual({ 'coordinator-kill': 0, 'payments-kill': 0, 'broker-term': 2, 'broker-kill': 0, 'postgres-restart': 0 });
  });

  it.each([
    [['--orders', '0'], /--orders must be an integer between 1 and 100000, got 0/],
    [['--rate', 'fast'], /--rate must be a number/],
    [['--replicas', '1.5'], /--replicas must be an integer/],
    [['--via', 'carrier-pigeon'], /--via must be start-topic, rest or both/],
    [['--faults', 'meteor=1'], /--faults takes KIND=N pairs/],
    [['--coordinator-env', 'lower=1'], /--coordinator-env must be KEY=VALUE/],
    [['--bogus'], /unknown option --bogus/],
    [['--seed'], /--seed needs a value/],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parseChaosOptions(argv)).toThrow(ChaosUsageError);
    expect(() => parseChaosOptions(argv)).toThrow(message);
  });

  it('--faults none turns every fault off', () => {
    expect(Object.values(parseFaults('none'))).toEqual([0, 0, 0, 0, 0]);
  });
});
