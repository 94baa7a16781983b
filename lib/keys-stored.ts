import { Aws, Token } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * A first run that needs no wait: when the Datadog keys are written into one of the secrets
 * (the default target's or a profile's; PutSecretValue, or UpdateSecret with a new value), a
 * reconcile starts by itself. The events are CloudTrail management events, which EventBridge
 * receives when a trail logs this region.
 */
export function reconcileWhenKeysStored(scope: Construct, secrets: readonly ISecret[], reconcile: IFunction): Rule {
  return new Rule(scope, 'KeysStoredRule', {
    description: 'Starts a reconcile when the Datadog keys are stored in the secret',
    eventPattern: {
      source: ['aws.secretsmanager'],
      detailType: ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['secretsmanager.amazonaws.com'],
        eventName: ['PutSecretValue', 'UpdateSecret'],
        requestParameters: { secretId: secrets.flatMap(secretIdsInCloudTrail) },
      },
    },
    targets: [new LambdaFunction(reconcile, { retryAttempts: 2 })],
  });
}

/** CloudTrail records the SecretId as the caller gave it: the name, the full ARN or the ARN without its suffix. */
function secretIdsInCloudTrail(secret: ISecret): Array<string | { prefix: string }> {
  const arn = secret.secretArn;
  if (Token.isUnresolved(arn) || !arn.includes(':secret:')) {
    return [secret.secretName, { prefix: `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${secret.secretName}` }];
  }
  // Known at synth (imported by ARN, or by name in a stack of known account): it may name another account.
  return [arn.slice(arn.indexOf(':secret:') + ':secret:'.length), { prefix: arn }];
}
