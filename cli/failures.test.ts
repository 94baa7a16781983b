import { CommanderError } from 'commander';
import { failureOf } from './failures';
import { EXIT } from './exit-codes';
import { DatadogApiError } from '../lambda/datadog/errors';
import { InputError } from '../lambda/domain/errors';

/** How an error that ends a command becomes an exit code and one sentence: by type, SDK error name or system code. */

const sdkError = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 }, ...extra });

describe('failureOf', () => {
  it.each([
    ['a usage error commander printed', new CommanderError(1, 'commander.unknownOption', 'x'), EXIT.usage, undefined],
    ['--help', new CommanderError(0, 'commander.helpDisplayed', 'x'), EXIT.ok, undefined],
    ['bad input', new InputError('bad account ID'), EXIT.usage, 'bad account ID'],
    ['no AWS credentials', sdkError('CredentialsProviderError', 'Could not load credentials from any providers'), EXIT.usage, 'no AWS credentials found: set AWS_PROFILE'],
    ['no SSO token', sdkError('TokenProviderError', 'no token'), EXIT.usage, 'no AWS credentials found'],
    ['an expired session (Query)', sdkError('ExpiredToken', 'The security token included in the request is expired'), EXIT.usage, 'AWS rejected the credentials (ExpiredToken: The security token'],
    ['an expired session (JSON)', sdkError('ExpiredTokenException', 'expired'), EXIT.usage, 'AWS rejected the credentials (ExpiredTokenException'],
    ['an unknown key (Query)', sdkError('InvalidClientTokenId', 'invalid'), EXIT.usage, 'renew them (e.g. aws sso login)'],
    ['an unknown key (JSON)', sdkError('UnrecognizedClientException', 'invalid'), EXIT.usage, "management account"],
    ['a wrong secret key', sdkError('SignatureDoesNotMatch', 'signature'), EXIT.usage, 'AWS rejected the credentials'],
    ['an account outside any organization', sdkError('AWSOrganizationsNotInUseException', 'not in use'), EXIT.usage, 'outside any organization'],
    [
      'AWS not resolvable',
      Object.assign(new Error('getaddrinfo ENOTFOUND organizations.us-east-1.amazonaws.com'), { code: 'ENOTFOUND', hostname: 'organizations.us-east-1.amazonaws.com', $metadata: {} }),
      EXIT.failed,
      'cannot reach AWS at organizations.us-east-1.amazonaws.com (ENOTFOUND): check the network, AWS_REGION, AWS_ENDPOINT_URL',
    ],
    ['AWS refusing connections', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 4566, $metadata: {} }), EXIT.failed, 'cannot reach AWS at 127.0.0.1:4566 (ECONNREFUSED)'],
    [
      'Datadog unreachable',
      new DatadogApiError('ListAWSAccounts', 'network', undefined, [], 'ListAWSAccounts failed: cannot reach Datadog at https://api.datadoghq.com: ENOTFOUND'),
      EXIT.failed,
      'cannot reach Datadog at https://api.datadoghq.com: ENOTFOUND; check DD_SITE and DD_API_URL',
    ],
    ['Datadog refusing', new DatadogApiError('CreateAWSAccount', 'conflict', 409, ['exists'], 'CreateAWSAccount failed: 409'), EXIT.failed, 'CreateAWSAccount failed: 409'],
    ['anything else', new Error('boom'), EXIT.failed, 'unexpected error: boom'],
    ['a thrown string', 'boom', EXIT.failed, 'unexpected error: boom'],
  ])('%s', (_name, error, code, message) => {
    const failure = failureOf(error);
    expect(failure.code).toBe(code);
    if (message === undefined) expect(failure.message).toBeUndefined();
    else expect(failure.message).toContain(message);
  });

  it('an access denial is not a credentials problem: it stays an error of the run (exit 1)', () => {
    expect(failureOf(sdkError('AccessDeniedException', 'denied')).code).toBe(EXIT.failed);
  });
});
