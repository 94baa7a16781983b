import { parseConfig, type Config } from '../config/schema';
import { InputError } from '../domain/errors';

/** The CDK app writes the validated configuration into this variable, as JSON. */
export const CONFIG_ENVIRONMENT_VARIABLE = 'DD_AWS_ORG_CONFIG';
export const QUEUE_URL_VARIABLE = 'QUEUE_URL';

export function lambdaConfig(env: NodeJS.ProcessEnv): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(env[CONFIG_ENVIRONMENT_VARIABLE] ?? '{}');
  } catch {
    throw new InputError(`environment variable ${CONFIG_ENVIRONMENT_VARIABLE} is not JSON: redeploy the stack`);
  }
  return parseConfig(raw, `environment variable ${CONFIG_ENVIRONMENT_VARIABLE}`);
}

export function requiredVariable(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new InputError(`environment variable ${name} is not set: redeploy the stack`);
  return value;
}
