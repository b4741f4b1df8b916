// The HTTP address alone, read before the rest of the configuration: main.ts binds the port
// before it loads class-validator (a tenth of a second idle, up to a second on a saturated
// box) so that liveness answers as soon as Node runs. loadConfig validates both values again
// afterwards and its verdict is the one reported; this reader only says "plainly valid, bind now".
import { rawSetting } from './config-source';

export const DEFAULT_HTTP_PORT = 3000;
export const DEFAULT_HTTP_HOST = '0.0.0.0';

export interface HttpAddress {
  host: string;
  port: number;
}

/** HTTP_HOST and HTTP_PORT if both are plainly valid (or unset), else undefined: loadConfig then names what is wrong. */
export function readHttpAddress(env: Record<string, string | undefined>, localDefaults: Record<string, string> = {}): HttpAddress | undefined {
  const port = rawSetting('HTTP_PORT', env, localDefaults)?.trim() ?? String(DEFAULT_HTTP_PORT);
  const host = rawSetting('HTTP_HOST', env, localDefaults) ?? DEFAULT_HTTP_HOST;
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65_535 || !/^\S+$/.test(host)) return undefined;
  return { host, port: Number(port) };
}
