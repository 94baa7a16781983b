import * as path from 'node:path';
import { CustomResource, Duration } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DatadogKeys } from '../datadog-keys';
import { functionProps } from './lambda-function';

/**
 * The IAM actions of the AWS calls lambda/handlers/secrets-check.ts sends with this function's
 * role (test/cdk/function-permissions.test.ts holds them against the code and the policy).
 */
export const SECRETS_CHECK_SENDS = ['secretsmanager:DescribeSecret'] as const;

export interface SecretsCheckProps {
  readonly handlersDir: string;
  readonly keys: DatadogKeys;
  readonly retention: RetentionDays;
}

/**
 * Fails a deploy whose profiles name a Datadog secret that does not exist: a custom resource
 * whose handler describes each profile's secret (lambda/deployment/secrets-check.ts) and
 * answers CloudFormation itself, so no provider framework (and no function of its own) is
 * added. Created in `scope` as SecretsCheck, its role and log group beside it, and the custom
 * resource as ProfileSecretsCheck; build it only when keys.profileSecrets is not empty.
 */
export class SecretsCheckFunction extends NodejsFunction {
  readonly check: CustomResource;

  constructor(scope: Construct, props: SecretsCheckProps) {
    super(
      scope,
      'SecretsCheck',
      functionProps(scope, 'SecretsCheck', path.join(props.handlersDir, 'secrets-check.ts'), props.retention, {
        description: "Deploy-time check that every profile's Datadog credentials secret exists",
        timeout: Duration.minutes(1),
        memorySize: 256,
      }),
    );
    props.keys.grantDescribeProfileSecrets(this);
    this.check = new CustomResource(scope, 'ProfileSecretsCheck', {
      serviceToken: this.functionArn,
      resourceType: 'Custom::DatadogProfileSecrets',
      // A changed list (a profile added, a secret renamed) is an Update, which checks the secrets it adds.
      properties: { Secrets: props.keys.profileSecretChecks },
    });
  }
}
