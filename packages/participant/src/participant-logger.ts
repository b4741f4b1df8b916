// The SDK logs through this small interface so a service can plug in its own logger
// (pino, Nest's Logger, ...). The default writes one JSON line per entry to stderr.

export type ParticipantLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface ParticipantLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<ParticipantLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export function jsonLineLogger(participant: string, level: ParticipantLogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l)): ParticipantLogger {
  const at = (lvl: Exclude<ParticipantLogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[level]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, participant, message, ...fields })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** For fields: an Error's message and code without its whole object graph. */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { error: err.message, ...(code !== undefined ? { code } : {}), stack: err.stack };
  }
  return { error: String(err) };
}
