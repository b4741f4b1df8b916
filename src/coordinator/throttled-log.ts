// During an outage every loop fails on every attempt; one warning per what-failed every
// ten seconds says as much as a thousand.
import type { Logger } from '@nestjs/common';

export function throttledWarn(logger: Logger, what: string, everyMs = 10_000): (err: Error) => void {
  let last = 0;
  let suppressed = 0;
  return (err: Error) => {
    const now = Date.now();
    if (now - last < everyMs) {
      suppressed += 1;
      return;
    }
    logger.warn(`${what}: ${err.message}${suppressed > 0 ? ` (and ${suppressed} more in the last ${Math.round((now - last) / 1000)} s)` : ''}`);
    last = now;
    suppressed = 0;
  };
}
