import { CommanderError } from 'commander';
import { DatadogApiError } from '../lambda/datadog/errors';
import { InputError } from '../lambda/domain/errors';
import { EXIT, type ExitCode } from './exit-codes';

/**
 * What the CLI says and exits with for an error that ended a command: decided by the error's
 * type, its AWS SDK error name or its Node.js system error code, never by its message.
 */
export interface Failure {
  readonly code: ExitCode;
  /** One sentence for stderr (without the "dd-aws-org: " prefix); absent when already printed. */
  readonly message?: string;
}

/** The SDK's names for "no credentials were found" (the default provider chain, SSO tokens). */
const MISSING_CREDENTIALS = new Set(['CredentialsProviderError', 'TokenProviderError']);

/** AWS's answers to credentials it does not accept (Query services, JSON services, signing). */
const REJECTED_CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'AuthFailure',
  'RequestExpired',
]);

/** Node.js system error codes of a host that cannot be reached. */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

const WHICH_CREDENTIALS =
  "set AWS_PROFILE to a profile of the organization's management account (or AWS_ACCESS_KEY_ID and " +
  'AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN for temporary ones)';

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  hostname?: string;
  address?: string;
  port?: number;
  $metadata?: unknown;
}

export function failureOf(error: unknown): Failure {
  if (error instanceof CommanderError) return { code: error.exitCode === 0 ? EXIT.ok : EXIT.usage };
  if (error instanceof InputError) return { code: EXIT.usage, message: error.message };
  if (error instanceof DatadogApiError) {
    const unreachable = error.kind === 'network' || error.kind === 'timeout';
    return {
      code: EXIT.failed,
      message: unreachable ? `${error.message}; check DD_SITE and DD_API_URL (or datadog.site and datadog.apiUrl), the network and any proxy` : error.message,
    };
  }
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const name = sdk.name ?? '';
  if (MISSING_CREDENTIALS.has(name)) {
    return { code: EXIT.usage, message: `no AWS credentials found: ${WHICH_CREDENTIALS} (the AWS SDK: ${sdk.message})` };
  }
  if (REJECTED_CREDENTIALS.has(name)) {
    return {
      code: EXIT.usage,
      message: `AWS rejected the credentials (${name}: ${sdk.message}): renew them (e.g. aws sso login), or ${WHICH_CREDENTIALS}`,
    };
  }
  if (name === 'AWSOrganizationsNotInUseException') {
    return { code: EXIT.usage, message: `these AWS credentials belong to an account outside any organization: ${WHICH_CREDENTIALS}` };
  }
  if (sdk.code && UNREACHABLE.has(sdk.code) && sdk.$metadata !== undefined) {
    const host = sdk.hostname ?? (sdk.address ? `${sdk.address}${sdk.port ? `:${sdk.port}` : ''}` : 'the endpoint');
    return {
      code: EXIT.failed,
      message: `cannot reach AWS at ${host} (${sdk.code}): check the network, AWS_REGION, AWS_ENDPOINT_URL (an emulator's address) and any proxy`,
    };
  }
  return { code: EXIT.failed, message: `unexpected error: ${sdk.message ?? String(error)}` };
}
