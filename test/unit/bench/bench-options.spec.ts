import { BENCH_DEFAULTS, BenchUsageError, parseBenchOptions, participantPlacement, participantProcessCount, sweepPointOptions } from '../../../bench/bench-options';

describe('bench options', () => {
  it('defaults to the documented run', () => {
    expect(parseBenchOptions([])).toEqual(BENCH_DEFAULTS);
    expect(BENCH_DEFAULTS).toMatchObject({ sagas: 500, concurrency: 50, steps: 3, partitions: 6, warmup: 30, replicas: 1, participantProcesses: 0, sweep: [], noBuild: false });
  });

  it('reads every flag, with the value after it or after =', () => {
    expect(parseBenchOptions(['--sagas', '100', '--concurrency=8', '--replicas', '3', '--participant-processes', '2', '--max-wait-s', '60', '--no-build'])).toEqual({
      ...BENCH_DEFAULTS,
      sagas: 100,
      concurrency: 8,
      replicas: 3,
      participantProcesses: 2,
      maxWaitS: 60,
      noBuild: true,
    });
  });

  it('reads a sweep as a list of concurrencies', () => {
    expect(parseBenchOptions(['--sweep', '1,16,64,256,1024']).sweep).toEqual([1, 16, 64, 256, 1024]);
    expect(parseBenchOptions(['--sweep=4']).sweep).toEqual([4]);
  });

  it.each([
    [['--sagas', '0'], /--sagas must be an integer between 1 and/],
    [['--sagas'], /--sagas must be an integer .* got undefined/],
    [['--concurrency', '2.5'], /--concurrency must be an integer/],
    [['--replicas', '17'], /--replicas must be an integer between 1 and 16/],
    [['--sweep', '1,,4'], /--sweep must be an integer/],
    [['--sweep', '4,4'], /lists a concurrency twice/],
    [['--no-build=yes'], /takes no value/],
    [['--fast'], /unknown option --fast/],
  ])('refuses %j with a message naming the flag', (argv, message) => {
    expect(() => parseBenchOptions(argv)).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(argv)).toThrow(message);
  });

  it('places one participant per process by default, round-robin when fewer, shared groups when more', () => {
    expect(participantProcessCount({ steps: 3, participantProcesses: 0 })).toBe(3);
    expect(participantPlacement(3, 3)).toEqual([[1], [2], [3]]);
    expect(participantPlacement(3, 1)).toEqual([[1, 2, 3]]);
    expect(participantPlacement(5, 2)).toEqual([[1, 3, 5], [2, 4]]);
    expect(participantPlacement(2, 5)).toEqual([[1], [2], [1], [2], [1]]);
  });

  it('gives every sweep point at least four sagas and one warm-up saga per slot', () => {
    const options = { ...BENCH_DEFAULTS, sweep: [1, 1024] };
    expect(sweepPointOptions(options, 1)).toMatchObject({ concurrency: 1, sagas: 500, warmup: 30, sweep: [] });
    expect(sweepPointOptions(options, 1024)).toMatchObject({ concurrency: 1024, sagas: 4096, warmup: 1024, sweep: [] });
  });
});

describe('--kill-replica-after', () => {
  it('needs two replicas or more, so that another one finishes the killed replica\'s sagas', () => {
    expect(parseBenchOptions(['--replicas', '3', '--kill-replica-after', '200'])).toMatchObject({ replicas: 3, killReplicaAfter: 200 });
    expect(() => parseBenchOptions(['--kill-replica-after', '200'])).toThrow(/needs --replicas 2 or more/);
  });
});

describe('--waiting', () => {
  it('is off by default, and measured once rather than at every point of a sweep', () => {
    expect(BENCH_DEFAULTS.waiting).toBe(0);
    expect(parseBenchOptions(['--waiting', '100000'])).toMatchObject({ waiting: 100_000 });
    expect(() => parseBenchOptions(['--waiting', '-1'])).toThrow(/--waiting must be an integer between 0 and 1000000/);
    expect(() => parseBenchOptions(['--waiting', '10', '--sweep', '1,16'])).toThrow(/without --sweep/);
  });
});
