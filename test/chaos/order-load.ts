/**
 * The chaos run's steady load: orders submitted at a fixed rate, alternately on the
 * start topic and with POST /v1/sagas (or only one of them), as initiating services
 * would. A submitter retries what was not accepted — the broker is down, a replica is
 * killed, PostgreSQL restarts — with the order id as idempotency key, so a retry never
 * starts a second saga. An order is *accepted* once the broker acknowledged its start
 * request or a replica answered 200/201; one still refused RETRY_BOUND_MS after it was
 * due is given up (and reported).
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { StartSagaMessage } from '@saga-coordinator/participant/protocol';
import type { OrderInput } from '../../examples/order-fulfilment/order';
import { ORDER_FULFILMENT } from '../../examples/order-fulfilment/order-fulfilment.saga';
import type { SubmitVia } from './chaos-options';

const TICK_MS = 100;
const RETRY_BOUND_MS = 120_000;
const REST_CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 10_000;

export interface OrderLoadSettings {
  orders: OrderInput[];
  rate: number;
  via: SubmitVia;
  brokers: string;
  startTopic: string;
  /** HTTP ports of the coordinator replicas. */
  ports: number[];
  signal: AbortSignal;
}

export interface LoadFigures {
  submitted: number;
  accepted: number;
  viaStartTopic: number;
  viaRest: number;
  /** Submissions that had to be retried at least once. */
  retried: number;
  /** Orders never accepted within the retry bound, with the last refusal. */
  refused: { orderId: string; reason: string }[];
}

type Route = 'start-topic' | 'rest';
interface Pending {
  order: OrderInput;
  route: Route;
  dueAt: number;
  attempts: number;
  lastError: string;
}

export class OrderLoad {
  private readonly acceptedIds = new Set<string>();
  private readonly figures: LoadFigures = { submitted: 0, accepted: 0, viaStartTopic: 0, viaRest: 0, retried: 0, refused: [] };
  private readonly topicQueue: Pending[] = [];
  private readonly restQueue: Pending[] = [];
  private producer?: Producer;
  private tickingDone = false;
  private nextPort = 0;
  /** Orders of each route not yet accepted or given up (some wait in a retry timer, outside the queue). */
  private readonly unresolved: Record<Route, number> = { 'start-topic': 0, rest: 0 };

  constructor(private readonly s: OrderLoadSettings) {}

  /** Resolves when every order was accepted or given up. */
  async run(): Promise<LoadFigures> {
    await Promise.all([this.tick(), this.sendStarts(), ...Array.from({ length: REST_CONCURRENCY }, () => this.postStarts())]);
    await this.producer?.disconnect().catch(() => undefined);
    return this.result();
  }

  result(): LoadFigures {
    return { ...this.figures, refused: [...this.figures.refused] };
  }

  accepted(): ReadonlySet<string> {
    return this.acceptedIds;
  }

  private route(i: number): Route {
    if (this.s.via === 'both') return i % 2 === 0 ? 'start-topic' : 'rest';
    return this.s.via;
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    for (let i = 0; i < this.s.orders.length && !this.s.signal.aborted; i++) {
      const dueAt = started + (i * 1000) / this.s.rate;
      while (dueAt > Date.now() && !this.s.signal.aborted) await sleep(Math.min(TICK_MS, dueAt - Date.now()));
      const pending: Pending = { order: this.s.orders[i], route: this.route(i), dueAt, attempts: 0, lastError: '' };
      this.unresolved[pending.route] += 1;
      (pending.route === 'start-topic' ? this.topicQueue : this.restQueue).push(pending);
      this.figures.submitted += 1;
    }
    this.tickingDone = true;
  }

  private done(route: Route): boolean {
    return (this.tickingDone && this.unresolved[route] === 0) || this.s.signal.aborted;
  }

  /** One sender for the start topic: whatever is queued goes in one batch; a failed batch is sent again with a fresh producer. */
  private async sendStarts(): Promise<void> {
    while (!this.done('start-topic')) {
      if (this.topicQueue.length === 0) {
        await sleep(TICK_MS / 2);
        continue;
      }
      const batch = this.topicQueue.splice(0, 500);
      try {
        const producer = await this.connectedProducer();
        await producer.send({ topic: this.s.startTopic, acks: -1, messages: batch.map((p) => startMessage(p.order)) });
        for (const p of batch) this.accept(p);
      } catch (err) {
        await this.producer?.disconnect().catch(() => undefined);
        this.producer = undefined;
        this.requeue(this.topicQueue, batch, err as Error);
        await sleep(500);
      }
    }
  }

  private async connectedProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    const kafka = new Kafka({ clientId: 'chaos-load', brokers: this.s.brokers.split(','), logLevel: logLevel.NOTHING, connectionTimeout: 3_000, requestTimeout: 10_000, retry: { retries: 2 } });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  /** One of REST_CONCURRENCY workers: POST /v1/sagas to the replicas in turn; a refused order waits and tries the next replica. */
  private async postStarts(): Promise<void> {
    while (!this.done('rest')) {
      const p = this.restQueue.shift();
      if (!p) {
        await sleep(TICK_MS / 2);
        continue;
      }
      const port = this.s.ports[this.nextPort++ % this.s.ports.length];
      try {
        const res = await fetch(`http://127.0.0.1:${port}/v1/sagas`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': p.order.orderId },
          body: JSON.stringify({ definition: ORDER_FULFILMENT, input: p.order, businessKey: p.order.orderId }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const body = await res.text();
        if (res.status === 200 || res.status === 201) this.accept(p);
        else if (res.status >= 500 || res.status === 429) this.requeue(this.restQueue, [p], new Error(`HTTP ${res.status}: ${body.slice(0, 200)}`), 250);
        else this.giveUp(p, `HTTP ${res.status}: ${body.slice(0, 300)}`); // a 4xx will not get better by retrying
      } catch (err) {
        this.requeue(this.restQueue, [p], err as Error, 250);
      }
    }
  }

  private accept(p: Pending): void {
    if (this.acceptedIds.has(p.order.orderId)) return;
    this.acceptedIds.add(p.order.orderId);
    this.unresolved[p.route] -= 1;
    this.figures.accepted += 1;
    if (p.route === 'rest') this.figures.viaRest += 1;
    else this.figures.viaStartTopic += 1;
    if (p.attempts > 0) this.figures.retried += 1;
  }

  private requeue(queue: Pending[], items: Pending[], err: Error, delayMs = 0): void {
    for (const p of items) {
      p.attempts += 1;
      p.lastError = err.message;
      if (Date.now() - p.dueAt > RETRY_BOUND_MS) this.giveUp(p, p.lastError);
      else if (delayMs > 0) setTimeout(() => queue.push(p), delayMs);
      else queue.unshift(p);
    }
  }

  private giveUp(p: Pending, reason: string): void {
    this.unresolved[p.route] -= 1;
    this.figures.refused.push({ orderId: p.order.orderId, reason });
  }
}

function startMessage(order: OrderInput): { key: string; value: string; headers: Record<string, string> } {
  const start: StartSagaMessage = { protocolVersion: 1, idempotencyKey: order.orderId, definition: ORDER_FULFILMENT, input: { ...order, lines: order.lines.map((l) => ({ ...l })) }, businessKey: order.orderId };
  return { key: order.orderId, value: JSON.stringify(start), headers: { 'message-type': 'start-saga', 'protocol-version': '1' } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
