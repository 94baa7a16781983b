import { CfnOutput, SecretValue, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Config } from '../lambda/config/schema';
import { DATADOG_SITES } from '../lambda/datadog/sites';

export interface DatadogOrgIntegrationStackProps extends StackProps {
  readonly config: Config;
}

/** Name of the secret the stack creates when the configuration names none. */
export const CREATED_SECRET_NAME = 'datadog-aws-org-integration/datadog-keys';

/**
 * The deployment in the management account (us-east-1, where Organizations events arrive).
 * So far it holds the Datadog credentials secret; the event rules, queue and functions come
 * with the event-driven deployment.
 */
export class DatadogOrgIntegrationStack extends Stack {
  constructor(scope: Construct, id: string, props: DatadogOrgIntegrationStackProps) {
    super(scope, id, props);
    const { site, credentialsSecretId } = props.config.datadog;

    if (!credentialsSecretId) {
      // Created with empty keys: the operator writes the real ones (see the README); they never pass through CloudFormation.
      const secret = new Secret(this, 'DatadogKeys', {
        secretName: CREATED_SECRET_NAME,
        description:
          'Datadog API and application keys for datadog-aws-org-integration. Fill with: aws secretsmanager put-secret-value --secret-id ' +
          `${CREATED_SECRET_NAME} --secret-string '{"apiKey":"...","appKey":"..."}'`,
        secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ apiKey: '', appKey: '' })),
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Datadog issues these keys; they are rotated in Datadog and written here by the operator, so Secrets Manager cannot rotate them.',
      });
      new CfnOutput(this, 'DatadogKeysSecretName', {
        value: CREATED_SECRET_NAME,
        description: 'Write {"apiKey":"...","appKey":"..."} into this secret before the first run',
      });
    }

    new CfnOutput(this, 'DatadogSite', { value: site, description: 'Datadog site the integrations are kept on' });
    new CfnOutput(this, 'DatadogPrincipal', {
      value: DATADOG_SITES[site].principal,
      description: "AWS account that Datadog assumes the member accounts' roles from",
    });
  }
}
