// Wakes the requests waiting for sagas to settle (GET /v1/sagas/{id}/result?wait=…): one
// dedicated connection per replica LISTENs on SAGA_SETTLED_CHANNEL, whichever replica's
// transaction settled the saga, and wakes the waiters of the saga each notification names.
// A waiter costs a map entry, not a query per poll: thousands of waiting requests are one
// connection and one read each when their saga settles.
//
// Notifications sent while the connection is down are lost, so after every (re)connect all
// waiters are woken once to read their saga again; while it is down `listening` is false
// and waiters fall back to reading now and then (saga-result.service.ts).
//
// Rejected: a trigger on saga_instances issuing NOTIFY. It would cost every update of every
// saga; the engine's one statement per transaction notifies only for sagas that settle.
import { Client, type ClientConfig, type Notification } from 'pg';
import { SAGA_SETTLED_CHANNEL } from './engine-writes';

export interface SettlementListenerOptions {
  /** Delay before reconnecting after the connection failed. @default 1000 */
  reconnectMs?: number;
  onError?: (err: Error) => void;
}

type Wake = () => void;

export class SagaSettlementListener {
  private readonly waiters = new Map<string, Set<Wake>>();
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private readonly reconnectMs: number;

  constructor(
    private readonly clientConfig: ClientConfig,
    private readonly options: SettlementListenerOptions = {},
  ) {
    this.reconnectMs = options.reconnectMs ?? 1_000;
  }

  /** Whether notifications are being received now (else waiters must look for themselves). */
  get listening(): boolean {
    return this.client !== null;
  }

  /** Number of waiting subscriptions (for tests and metrics). */
  get waiting(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  /**
   * Calls `wake` whenever saga `sagaId` may have settled. Subscribe before reading the saga,
   * so a settlement between the read and the subscription is not missed. Returns the
   * unsubscribe. The connection is opened on the first subscription (a replica nobody
   * waits on holds none).
   */
  subscribe(sagaId: string, wake: Wake): () => void {
    let set = this.waiters.get(sagaId);
    if (!set) {
      set = new Set();
      this.waiters.set(sagaId, set);
    }
    set.add(wake);
    this.ensureConnected();
    return () => {
      const current = this.waiters.get(sagaId);
      if (!current) return;
      current.delete(wake);
      if (current.size === 0) this.waiters.delete(sagaId);
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private ensureConnected(): void {
    if (this.stopped || this.client !== null || this.connecting !== null || this.retry !== undefined) return;
    this.connecting = this.connect()
      .catch((err: Error) => {
        this.options.onError?.(err);
        this.scheduleReconnect();
      })
      .finally(() => {
        this.connecting = null;
      });
  }

  private async connect(): Promise<void> {
    const client = new Client({ ...this.clientConfig, application_name: 'saga-coordinator-listener' });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('listener connection ended')));
    client.on('notification', (n: Notification) => this.notified(n));
    try {
      await client.connect();
      await client.query(`listen ${SAGA_SETTLED_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Whatever settled while nobody listened: every waiter reads its saga once.
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }

  private lost(client: Client, err: Error): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.options.onError?.(err);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry !== undefined) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.waiters.size > 0) this.ensureConnected();
    }, this.reconnectMs);
    this.retry.unref();
  }

  private notified(n: Notification): void {
    if (n.channel !== SAGA_SETTLED_CHANNEL || n.payload === undefined) return;
    const set = this.waiters.get(n.payload);
    if (set) for (const wake of [...set]) wake();
  }
}
