/**
 * A fluent TypeScript builder for saga definitions.
 *
 *     const order = defineSaga('order')
 *       .deadline(60_000)
 *       .step({ name: 'reserve', participant: 'stock', command: 'stock.reserve', compensation: 'stock.release' })
 *       .parallel([...], { name: 'charge-and-notify' })
 *       .pivot({ name: 'ship', participant: 'shipping', command: 'shipping.ship' })
 *       .step({ name: 'email', participant: 'mail', command: 'mail.send',      // no compensation allowed here
 *               when: { ref: '$.input.notify', equals: true } })              // runs only if it holds
 *       .output({ shipment: '$.steps.ship.output.trackingId' })
 *       .build();
 *
 * It produces exactly the JSON document one would write by hand — same keys,
 * nothing added — so a definition can move between code and JSON freely. The
 * types encode what they can (after `.pivot()` steps cannot take a
 * compensation); `build()` runs the same validation as for JSON and throws
 * InvalidDefinitionError listing every problem. Builders are immutable: each
 * call returns a new builder, so a common prefix can be shared.
 */
import { validateDefinition } from './definition-validation';
import { InvalidDefinitionError } from './errors';
import type { JsonObject, JsonValue } from '@saga-coordinator/participant/protocol';
import type { ParallelGroupDefinition, SagaDefinition, StepDefinition, StepNode } from './saga-definition';

/** A step before the pivot: anything but the pivot flag (use `.pivot()`). */
export type CompensatableStepOptions = Omit<StepDefinition, 'pivot'>;
/** A step after the pivot: no compensation, it is retried until it succeeds. */
export type RetriableStepOptions = Omit<StepDefinition, 'pivot' | 'compensation'>;
export interface ParallelGroupOptions {
  name?: string;
}

type SagaSettings = Omit<SagaDefinition, 'steps'>;

abstract class SagaBuilderBase<TStep extends RetriableStepOptions> {
  protected constructor(
    protected readonly settings: SagaSettings,
    protected readonly nodes: readonly StepNode[],
  ) {}

  protected abstract with(settings: SagaSettings, nodes: readonly StepNode[]): this;

  description(text: string): this {
    return this.set({ description: text });
  }

  /** JSON Schema of the saga input (stored verbatim; enforced by the API layer). */
  inputSchema(schema: JsonObject): this {
    return this.set({ inputSchema: schema });
  }

  /** Saga-level deadline, see SagaDefinition.deadlineMs. */
  deadline(ms: number): this {
    return this.set({ deadlineMs: ms });
  }

  maxCompensationAttempts(attempts: number): this {
    return this.set({ maxCompensationAttempts: attempts });
  }

  /** See SagaDefinition.minCompensationWindowMs. */
  minCompensationWindow(ms: number): this {
    return this.set({ minCompensationWindowMs: ms });
  }

  /** The saga's result, a mapping like a step input, evaluated when it completes (see SagaDefinition.output). */
  output(mapping: JsonValue): this {
    return this.set({ output: mapping });
  }

  /** One saga at a time per value of this `$.input…` reference (see SagaDefinition.concurrencyKey). */
  concurrencyKey(mapping: string): this {
    return this.set({ concurrencyKey: mapping });
  }

  maxForwardAttempts(attempts: number): this {
    return this.set({ maxForwardAttempts: attempts });
  }

  /** Appends one step as the next stage. */
  step(step: TStep): this {
    return this.with(this.settings, [...this.nodes, { ...step }]);
  }

  /** Appends a parallel group (at least two steps) as the next stage. */
  parallel(steps: readonly TStep[], options: ParallelGroupOptions = {}): this {
    const group: ParallelGroupDefinition = { parallel: steps.map((step) => ({ ...step })) };
    if (options.name !== undefined) group.name = options.name;
    return this.with(this.settings, [...this.nodes, group]);
  }

  private set(patch: Partial<SagaSettings>): this {
    return this.with({ ...this.settings, ...patch }, this.nodes);
  }

  /** The document, validated. Throws InvalidDefinitionError with every problem. */
  build(): SagaDefinition {
    const doc: SagaDefinition = { ...this.settings, steps: [...this.nodes] };
    const result = validateDefinition(doc);
    if (!result.ok) throw new InvalidDefinitionError(result.problems, this.settings.name);
    return result.definition;
  }
}

/** Builds the part of a saga up to and including the pivot. */
export class SagaBuilder extends SagaBuilderBase<CompensatableStepOptions> {
  constructor(settings: SagaSettings, nodes: readonly StepNode[] = []) {
    super(settings, nodes);
  }

  protected with(settings: SagaSettings, nodes: readonly StepNode[]): this {
    return new SagaBuilder(settings, nodes) as this;
  }

  /** Appends the pivot step; every later step is retriable and cannot be compensated. */
  pivot(step: CompensatableStepOptions): RetriableSagaBuilder {
    return new RetriableSagaBuilder(this.settings, [...this.nodes, { ...step, pivot: true }]);
  }
}

/** Builds the part of a saga after the pivot. */
export class RetriableSagaBuilder extends SagaBuilderBase<RetriableStepOptions> {
  constructor(settings: SagaSettings, nodes: readonly StepNode[]) {
    super(settings, nodes);
  }

  protected with(settings: SagaSettings, nodes: readonly StepNode[]): this {
    return new RetriableSagaBuilder(settings, nodes) as this;
  }
}

/** Starts a saga definition called `name`. */
export function defineSaga(name: string): SagaBuilder {
  return new SagaBuilder({ name });
}
