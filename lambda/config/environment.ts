/**
 * The standard environment variables that override configuration (they win over a
 * config file; command-line flags win over them), and the datadog key each one sets.
 */
export const ENVIRONMENT_OVERRIDES = [
  { variable: 'DD_SITE', key: 'site' },
  { variable: 'DD_API_URL', key: 'apiUrl' },
] as const;

export function configFromEnvironment(env: NodeJS.ProcessEnv): { datadog?: Record<string, string> } {
  const datadog: Record<string, string> = {};
  for (const { variable, key } of ENVIRONMENT_OVERRIDES) if (env[variable]) datadog[key] = env[variable];
  return Object.keys(datadog).length > 0 ? { datadog } : {};
}

/** Deep-merges plain objects; later sources win, arrays and scalars are replaced. */
export function mergeConfig(...sources: unknown[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const source of sources) {
    if (!isPlainObject(source)) continue;
    for (const [key, value] of Object.entries(source)) {
      const current = result[key];
      result[key] = isPlainObject(current) && isPlainObject(value) ? mergeConfig(current, value) : value;
    }
  }
  return result;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
