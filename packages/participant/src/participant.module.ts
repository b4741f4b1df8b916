// The SDK as a NestJS module. Handlers are providers (so they can inject repositories,
// clients, config); the module registers them with the Participant once every module
// is initialised, starts it on application bootstrap and stops it before shutdown.
//
//   ParticipantModule.forRoot({
//     imports: [ConfigModule], inject: [AppConfig],
//     useFactory: (c: AppConfig) => ({ name: 'payments', kafka: { brokers: c.brokers }, database: { url: c.dbUrl } }),
//     handlers: [ReserveCreditHandler, CaptureCreditHandler],
//   })
import { BeforeApplicationShutdown, DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, type InjectionToken, type ModuleMetadata, type Type } from '@nestjs/common';
import { Participant } from './participant';
import type { ParticipantLogger } from './participant-logger';
import type { ParticipantOptions } from './participant-options';
import type { SomeStepHandler } from './step-handler';

export const PARTICIPANT_OPTIONS = Symbol('PARTICIPANT_OPTIONS');
const PARTICIPANT_HANDLERS = Symbol('PARTICIPANT_HANDLERS');

export interface ParticipantModuleOptions {
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  /** Builds the participant's options; without `logger` the module logs through Nest's Logger. */
  useFactory: (...deps: never[]) => ParticipantOptions | Promise<ParticipantOptions>;
  /** Handler classes; Nest constructs them (with their dependencies) and the module registers them. */
  handlers?: Type<SomeStepHandler>[];
}

@Injectable()
class ParticipantLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly participant: Participant,
    @Inject(PARTICIPANT_HANDLERS) private readonly handlers: SomeStepHandler[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const handler of this.handlers) this.participant.handle(handler);
    await this.participant.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.participant.stop();
  }
}

function nestLogger(name: string): ParticipantLogger {
  const logger = new Logger(`Participant:${name}`);
  const line = (message: string, fields?: Record<string, unknown>) => (fields ? `${message} ${JSON.stringify(fields)}` : message);
  return {
    debug: (m, f) => logger.debug(line(m, f)),
    info: (m, f) => logger.log(line(m, f)),
    warn: (m, f) => logger.warn(line(m, f)),
    error: (m, f) => logger.error(line(m, f)),
  };
}

@Module({})
export class ParticipantModule {
  static forRoot(options: ParticipantModuleOptions): DynamicModule {
    const handlers = options.handlers ?? [];
    return {
      module: ParticipantModule,
      imports: options.imports ?? [],
      providers: [
        { provide: PARTICIPANT_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: Participant,
          inject: [PARTICIPANT_OPTIONS],
          useFactory: (o: ParticipantOptions) => new Participant({ ...o, logger: o.logger ?? nestLogger(o.name) }),
        },
        ...handlers,
        { provide: PARTICIPANT_HANDLERS, inject: handlers, useFactory: (...instances: SomeStepHandler[]) => instances },
        ParticipantLifecycle,
      ],
      exports: [Participant],
    };
  }
}
