import type { Node } from 'constructs';
import { parseConfig, type Config } from '../lambda/config/schema';
import { InputError } from '../lambda/domain/errors';

/** The context key in cdk.json (or `-c datadogAwsOrg='{...}'`) that holds the configuration. */
export const CONFIG_CONTEXT_KEY = 'datadogAwsOrg';

/** Reads the configuration from CDK context through the shared schema; a bad value fails synth naming the key. */
export function configFromContext(node: Node): Config {
  const raw: unknown = node.tryGetContext(CONFIG_CONTEXT_KEY);
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new InputError(`context ${CONFIG_CONTEXT_KEY} is not valid JSON: pass an object, e.g. -c ${CONFIG_CONTEXT_KEY}='{"datadog":{"site":"datadoghq.eu"}}'`);
    }
  }
  return parseConfig(value ?? {}, `context ${CONFIG_CONTEXT_KEY}`);
}

/** The deployed stack's home region (Organizations events arrive only there): where it publishes its configuration. */
export const STACK_REGION = 'us-east-1';

/** The SSM parameter in which a deployed stack publishes the configuration its Lambdas run with (`--from-stack`). */
export function publishedConfigParameterName(stackName: string): string {
  return `/datadog-aws-org-integration/${stackName}/config`;
}
