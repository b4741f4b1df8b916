import { listeningInodes, parseCpuPressureMicros, parseMachineBusyTicks, parsePssKb, parseStat, parseStatusMemory } from '../../../bench/proc-stats';

describe('/proc parsing', () => {
  it('reads a stat line whose command name holds spaces and parentheses', () => {
    const line = '4242 (postgres: (x) idle) S 2192 2192 2192 0 -1 4194560 1000 0 0 0 1234 567 89 10 20 0 1 0 4000 200000000 3000 18446744073709551615 0 0 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0';
    expect(parseStat(line)).toEqual({ pid: 4242, comm: 'postgres: (x) idle', ppid: 2192, utime: 1234, stime: 567, cutime: 89, cstime: 10 });
  });

  it('refuses text that is not a stat line', () => {
    expect(() => parseStat('garbage')).toThrow(/not a \/proc\/PID\/stat line/);
  });

  it('reads resident and peak memory from status, 0 for a kernel thread', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmHWM:\t  150000 kB\nVmRSS:\t  120000 kB\nThreads:\t11\n';
    expect(parseStatusMemory(status)).toEqual({ rssKb: 120000, hwmKb: 150000 });
    expect(parseStatusMemory('Name:\tkthreadd\nThreads:\t1\n')).toEqual({ rssKb: 0, hwmKb: 0 });
  });

  it('reads the proportional set size from smaps_rollup', () => {
    const rollup = '55d0c0000000-7ffd00000000 ---p 00000000 00:00 0 [rollup]\nRss:              120000 kB\nPss:               90123 kB\nPss_Anon:          80000 kB\n';
    expect(parsePssKb(rollup)).toBe(90123);
    expect(parsePssKb('')).toBeUndefined();
  });

  it('finds the inodes of sockets listening on a port, not of connections to it', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:2384 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:D431 0100007F:2384 01 00000000:00000000 00:00000000 00000000     0        0 41000 1 0000000000000000 20 4 30 10 -1',
      '   2: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 22222 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    expect(listeningInodes(tcp, 9092)).toEqual([31337]);
    expect(listeningInodes(tcp, 5432)).toEqual([22222]);
    expect(listeningInodes(tcp, 80)).toEqual([]);
  });

  it('sums the busy fields of the machine-wide cpu line', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    expect(parseMachineBusyTicks('cpu  100 5 30 9000 70 1 2 3 0 0\ncpu0 50 2 15 4500 35 0 1 1 0 0\n')).toBe(100 + 5 + 30 + 1 + 2 + 3);
  });

  it('reads the total CPU stall time from PSI', () => {
    expect(parseCpuPressureMicros('some avg10=32.29 avg60=52.20 avg300=40.69 total=337067484\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n')).toBe(337067484);
    expect(parseCpuPressureMicros('')).toBeUndefined();
  });
});
