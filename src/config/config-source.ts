// Where a setting's raw value comes from: the environment, else .local/infra.env's defaults.
// Both the full validation (app-config.ts) and the early read of the HTTP address
// (http-address.ts) take values through here, so they can never see different ones.

/** The raw value of `key`; an empty variable means "unset" to most shells' users, so it counts as unset. */
export function rawSetting(key: string, env: Record<string, string | undefined>, localDefaults: Record<string, string>): string | undefined {
  const value = env[key] ?? localDefaults[key];
  return value === undefined || value === '' ? undefined : value;
}
