import { parseConfig, type Config } from '../config/schema';
import { InputError } from '../domain/errors';

/** The CDK app writes the validated configuration into this variable, as JSON. */
export const CONFIG_ENVIRONMENT_VARIABLE = 'DD_AWS_ORG_CONFIG';
export const QUEUE_URL_VARIABLE = 'QUEUE_URL';

/** The stack always sets it: without it the function would run on defaults nobody chose, so it fails at cold start. */
export function lambdaConfig(env: NodeJS.ProcessEnv): Config {
  const text = requiredVariable(env, CONFIG_ENVIRONMENT_VARIABLE);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`environment variable ${CONFIG_ENVIRONMENT_VARIABLE} is not JSON: redeploy the stack`, { cause: error });
  }
  return parseConfig(raw, `environment variable ${CONFIG_ENVIRONMENT_VARIABLE}`);
}

export function requiredVariable(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new InputError(`environment variable ${name} is not set: redeploy the stack`);
  return value;
}
