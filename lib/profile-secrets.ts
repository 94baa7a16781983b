import { routingOf } from '../lambda/config/profiles';
import type { Config } from '../lambda/config/schema';
import type { ProfileSecretToCheck } from '../lambda/deployment/secrets-check';
import { InputError } from '../lambda/domain/errors';
import { PARTITION_REGIONS, PARTITIONS } from '../lambda/domain/partition';
import { STACK_REGION } from './config';

/**
 * The Datadog secrets that profiles name (profiles[].datadog.credentialsSecretId), read off the
 * configuration's Datadog targets: what the functions are granted besides the default target's
 * secret, and what the deploy-time check describes.
 */

/**
 * One entry per profile that names a secret of its own, in the profiles' order. A profile that
 * names none, or the top level's, shares the default target's secret and is not listed.
 */
export function profileSecretsOf(config: Config): ProfileSecretToCheck[] {
  const defaultSecretId = config.datadog.credentialsSecretId;
  const secretOfProfile = new Map<string, string>();
  for (const target of routingOf(config).targets) {
    const secretId = target.datadog.credentialsSecretId;
    if (target.isDefault || secretId === undefined || secretId === defaultSecretId) continue;
    for (const profile of target.profiles) secretOfProfile.set(profile, secretId);
  }
  return config.profiles.flatMap((profile, index) => {
    const secretId = secretOfProfile.get(profile.name);
    return secretId === undefined ? [] : [{ profile: profile.name, field: `profiles[${index}].datadog.credentialsSecretId`, secretId }];
  });
}

/** The partition of the stack's region: the stack is only ever deployed to us-east-1. */
const STACK_PARTITION = PARTITIONS.find((partition) => PARTITION_REGIONS[partition].includes(STACK_REGION))!;

/**
 * A secret named by ARN must be one the functions can read: in their region and partition (a
 * name is always looked up there). `where` names the setting, e.g. `profile "asia" (profiles[0]...)`.
 */
export function assertSecretReadableByStack(secretId: string, where: string): void {
  if (!secretId.startsWith('arn:')) return;
  const [, partition, service, region, , resourceType] = secretId.split(':');
  if (service !== 'secretsmanager' || resourceType !== 'secret') {
    throw new InputError(`${where}: ${secretId} is not a Secrets Manager secret ARN (arn:${STACK_PARTITION}:secretsmanager:${STACK_REGION}:<account>:secret:<name>); give the secret's ARN or its name`);
  }
  if (partition !== STACK_PARTITION || region !== STACK_REGION) {
    throw new InputError(
      `${where}: the secret ${secretId} is in ${partition} ${region}, but the stack's functions read their secrets in ${STACK_PARTITION} ${STACK_REGION}: ` +
        `replicate it there (aws secretsmanager replicate-secret-to-regions --add-replica-regions Region=${STACK_REGION}) and name the replica, or create the secret in ${STACK_REGION}`,
    );
  }
}

/** Checks every secret the configuration names (top level and profiles) before anything is built. */
export function assertConfiguredSecretsReadable(config: Config): void {
  const { credentialsSecretId } = config.datadog;
  if (credentialsSecretId) assertSecretReadableByStack(credentialsSecretId, 'datadog.credentialsSecretId');
  for (const { profile, field, secretId } of profileSecretsOf(config)) assertSecretReadableByStack(secretId, `profile "${profile}" (${field})`);
}

/**
 * The configuration the functions run with: the default target's secret named by `secretArn` (the
 * created secret, or the imported one resolved). A profile that restated the top level's secret
 * now inherits it, so that it stays in the default target instead of becoming a second target
 * for the same Datadog organization (same keys, named two ways).
 */
export function withDefaultSecret(config: Config, secretArn: string): Config {
  const named = config.datadog.credentialsSecretId;
  return {
    ...config,
    datadog: { ...config.datadog, credentialsSecretId: secretArn },
    profiles: config.profiles.map((profile) =>
      named !== undefined && profile.datadog?.credentialsSecretId === named
        ? { ...profile, datadog: Object.fromEntries(Object.entries(profile.datadog).filter(([key]) => key !== 'credentialsSecretId')) }
        : profile,
    ),
  };
}
