import { parseConfig } from '../lambda/config/schema';
import { InputError } from '../lambda/domain/errors';
import { V2_DEFAULT_EXCLUDED_NAMESPACES } from '../lambda/datadog/v2/mapping';

/** Namespace rules in the CLI: which names each API version takes, and v2's read form made short. */

export type ApiVersion = 'v1' | 'v2';

/**
 * Refuses rules whose names belong to the other API version (v1 keys such as auto_scaling,
 * CloudWatch names such as AWS/AutoScaling under v2). The configuration schema is the one rule:
 * the rules are checked as integration.namespaceRules under that datadog.apiVersion.
 */
export function checkNamespaceRules(apiVersion: ApiVersion, rules: Readonly<Record<string, boolean>>): void {
  try {
    parseConfig({ datadog: { apiVersion }, integration: { namespaceRules: rules } }, '--namespace');
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const reasons = error.message.split('\n').slice(1).map((line) => line.replace('--namespace: integration.namespaceRules: ', ''));
    throw new InputError(`--namespace does not fit --api-version ${apiVersion}:\n${reasons.join('\n')}`);
  }
}

/**
 * v2's read form of namespace filters (rulesFromFilters: { x: false } for every exclusion, plus
 * { d: true } for every default exclusion lifted) without what merely restates Datadog's
 * defaults ({ d: false } for AWS/SQS, AWS/ElasticMapReduce, AWS/Usage): the overrides alone, as
 * integration.namespaceRules holds them.
 */
export function overridesOfDefaults(readForm: Readonly<Record<string, boolean>>): Record<string, boolean> {
  return Object.fromEntries(Object.entries(readForm).filter(([namespace, collect]) => collect || !V2_DEFAULT_EXCLUDED_NAMESPACES.includes(namespace)));
}

/** Rules as `ns=on,ns=off`, in the order given. */
export function describeRules(rules: Readonly<Record<string, boolean>>): string {
  return Object.entries(rules)
    .map(([namespace, on]) => `${namespace}=${on ? 'on' : 'off'}`)
    .join(',');
}
