/** Secrets Manager (JSON 1.1): the one operation this product calls, GetSecretValue. */
import { AwsApiError, type Caller, type FakeAwsOrganization } from './model';

export const SECRETS_MANAGER_TARGET_PREFIX = 'secretsmanager';

type Input = Record<string, unknown>;

export function secretsManagerCall(model: FakeAwsOrganization, caller: Caller, operation: string, input: Input): Record<string, unknown> {
  if (operation !== 'GetSecretValue') {
    throw new AwsApiError('UnknownOperationException', `The AWS stand-in does not emulate Secrets Manager ${operation}.`, 400);
  }
  const secretId = input.SecretId;
  if (typeof secretId !== 'string' || secretId === '') {
    throw new AwsApiError('InvalidParameterException', 'You must provide a SecretId.', 400);
  }
  const secret = model.findSecret(caller.accountId, secretId);
  if (!secret) throw new AwsApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400);
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: secret.versionId,
    SecretString: secret.value,
    VersionStages: ['AWSCURRENT'],
    CreatedDate: Math.floor(secret.createdDate.getTime() / 1000),
  };
}
