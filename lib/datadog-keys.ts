import { Aws, CfnOutput, Fn, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DatadogConfig } from '../lambda/config/schema';
import { PLACEHOLDER_KEYS } from '../lambda/datadog/placeholder-keys';

/**
 * The secret created when the configuration names none is named this plus "-" and the first
 * part of the stack's ID: a stack deployed again after `cdk destroy` gets a new name, so the
 * retained old secret (and Secrets Manager's recovery window on a deleted one) never blocks it.
 */
export const CREATED_SECRET_NAME_PREFIX = 'datadog-aws-org-integration/datadog-keys';

/** The secret that holds the Datadog keys, created here or imported (datadog.credentialsSecretId), and who may read it. */
export class DatadogKeys {
  readonly secret: ISecret;
  private readonly imported: boolean;

  /** Creates or imports the secret in `scope` as DatadogKeys. */
  constructor(scope: Construct, datadog: DatadogConfig) {
    const id = datadog.credentialsSecretId;
    this.imported = Boolean(id);
    this.secret = id ? importedSecret(scope, id) : createdSecret(scope);
  }

  grantRead(fn: IFunction): void {
    // An imported secret is known by name or partial ARN; its real ARN adds Secrets Manager's 6-character suffix.
    const resources = this.imported ? [this.secret.secretArn, `${this.secret.secretArn}-??????`] : [this.secret.secretArn];
    fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources }));
  }
}

function importedSecret(scope: Construct, id: string): ISecret {
  // A complete ARN cannot be told from a partial one whose name ends in "-" + 6 characters,
  // so every imported secret is granted as partial: its ARN and its ARN with the suffix.
  return id.startsWith('arn:') ? Secret.fromSecretPartialArn(scope, 'DatadogKeys', id) : Secret.fromSecretNameV2(scope, 'DatadogKeys', id);
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
