// The problems loadConfig reports for an environment; fails the test when it reports none.
import { ConfigError, loadConfig } from '../../src/config/app-config';

export function configProblems(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
