import { Aws, CfnOutput, Fn, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Config } from '../lambda/config/schema';
import type { ProfileSecretToCheck } from '../lambda/deployment/secrets-check';
import { PLACEHOLDER_KEYS } from '../lambda/datadog/placeholder-keys';
import { assertConfiguredSecretsReadable, profileSecretsOf } from './profile-secrets';

/**
 * The secret created when the configuration names none is named this plus "-" and the first
 * part of the stack's ID: a stack deployed again after `cdk destroy` gets a new name, so the
 * retained old secret (and Secrets Manager's recovery window on a deleted one) never blocks it.
 */
export const CREATED_SECRET_NAME_PREFIX = 'datadog-aws-org-integration/datadog-keys';

/**
 * The secrets that hold the Datadog keys, and who may read them: the default target's, created
 * here or imported (datadog.credentialsSecretId), and the ones profiles name for their own
 * targets (imported; lib/profile-secrets.ts). Nothing else is granted.
 */
export class DatadogKeys {
  readonly secret: ISecret;
  /** The secrets of the profiles' own targets, each once (none when every profile shares the default's). */
  readonly profileSecrets: readonly ISecret[];
  /** One entry per profile naming a secret of its own, for the deploy-time check. */
  readonly profileSecretChecks: readonly ProfileSecretToCheck[];
  private readonly imported: boolean;

  /** Creates or imports the default secret in `scope` as DatadogKeys, and imports each profile's as ProfileKeys-<first profile naming it>. */
  constructor(scope: Construct, config: Config) {
    assertConfiguredSecretsReadable(config);
    const id = config.datadog.credentialsSecretId;
    this.imported = Boolean(id);
    this.secret = id ? importedSecret(scope, 'DatadogKeys', id) : createdSecret(scope);
    this.profileSecretChecks = profileSecretsOf(config);
    const firstProfileOf = new Map<string, string>();
    for (const { secretId, profile } of this.profileSecretChecks) if (!firstProfileOf.has(secretId)) firstProfileOf.set(secretId, profile);
    this.profileSecrets = [...firstProfileOf].map(([secretId, profile]) => importedSecret(scope, `ProfileKeys-${profile}`, secretId));
  }

  /** GetSecretValue on every secret the functions read keys from. */
  grantRead(fn: IFunction): void {
    // A created secret is known by its ARN; an imported one by name or partial ARN (see importedResources).
    const resources = [...(this.imported ? importedResources(this.secret) : [this.secret.secretArn]), ...this.profileSecrets.flatMap(importedResources)];
    fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources }));
  }

  /** DescribeSecret on the profiles' secrets: what the deploy-time check sends. */
  grantDescribeProfileSecrets(fn: IFunction): void {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:DescribeSecret'], resources: this.profileSecrets.flatMap(importedResources) }));
  }
}

/** An imported secret is known by name or partial ARN; its real ARN adds Secrets Manager's 6-character suffix. */
function importedResources(secret: ISecret): string[] {
  return [secret.secretArn, `${secret.secretArn}-??????`];
}

function importedSecret(scope: Construct, constructId: string, id: string): ISecret {
  // A complete ARN cannot be told from a partial one whose name ends in "-" + 6 characters,
  // so every imported secret is granted as partial: its ARN and its ARN with the suffix.
  return id.startsWith('arn:') ? Secret.fromSecretPartialArn(scope, constructId, id) : Secret.fromSecretNameV2(scope, constructId, id);
}

/** Created with empty keys: the operator writes the real ones; they never pass through CloudFormation. */
function createdSecret(scope: Construct): ISecret {
  // Retained on destroy (it holds keys someone wrote by hand); README "Uninstall" says how to delete it.
  const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  const secretName = `${CREATED_SECRET_NAME_PREFIX}-${Fn.select(0, Fn.split('-', stackUuid))}`;
  const secret = new Secret(scope, 'DatadogKeys', {
    secretName,
    description: `Datadog API and application keys. Fill with: aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string '{"apiKey":"...","appKey":"..."}'`,
    secretStringValue: SecretValue.unsafePlainText(JSON.stringify(PLACEHOLDER_KEYS)),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'Datadog issues these keys; they are rotated in Datadog and written here by the operator, so Secrets Manager cannot rotate them.',
  });
  new CfnOutput(scope, 'DatadogKeysSecretName', {
    value: secretName,
    description: 'Write {"apiKey":"...","appKey":"..."} into this secret before the first run',
  });
  return secret;
}
