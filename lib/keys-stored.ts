import { Aws, Token } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * A first run that needs no wait: when the Datadog keys are written into the secret
 * (PutSecretValue, or UpdateSecret with a new value), a reconcile starts by itself. The events
 * are CloudTrail management events, which EventBridge receives when a trail logs this region.
 */
export function reconcileWhenKeysStored(scope: Construct, secret: ISecret, reconcile: IFunction): Rule {
  // CloudTrail records the SecretId as the caller gave it: the name, the full ARN or the ARN without its suffix.
  const arn = secret.secretArn;
  const name = Token.isUnresolved(arn) || !arn.includes(':secret:') ? secret.secretName : arn.slice(arn.indexOf(':secret:') + ':secret:'.length);
  const arnWithoutSuffix = `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${name}`;
  return new Rule(scope, 'KeysStoredRule', {
    description: 'Starts a reconcile when the Datadog keys are stored in the secret',
    eventPattern: {
      source: ['aws.secretsmanager'],
      detailType: ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['secretsmanager.amazonaws.com'],
        eventName: ['PutSecretValue', 'UpdateSecret'],
        requestParameters: { secretId: [name, { prefix: arnWithoutSuffix }] },
      },
    },
    targets: [new LambdaFunction(reconcile, { retryAttempts: 2 })],
  });
}
