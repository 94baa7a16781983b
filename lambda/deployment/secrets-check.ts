import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as z from 'zod/mini';

/**
 * The deploy-time check that every profile's Datadog secret exists (lib/functions/secrets-check.ts
 * creates the custom resource): a synth cannot look a secret up, and a missing one would only
 * show later, as every account of the profile failing. It describes the secrets (never reads
 * their values) and answers CloudFormation itself, on the request's pre-signed URL.
 */

/** One profile that names its own secret, as the custom resource lists it. */
export interface ProfileSecretToCheck {
  readonly profile: string;
  /** Where the configuration names the secret, e.g. profiles[0].datadog.credentialsSecretId. */
  readonly field: string;
  readonly secretId: string;
}

/** The custom resource's properties (besides ServiceToken). */
export const secretsCheckPropertiesSchema = z.object({
  Secrets: z.array(z.object({ profile: z.string(), field: z.string(), secretId: z.string() })),
});

/** Stays the same across updates, so CloudFormation never replaces (nor deletes) the check. */
export const SECRETS_CHECK_PHYSICAL_ID = 'datadog-profile-secrets-check';

/** CloudFormation takes a response body of at most 4096 bytes: the reason must leave room for the rest. */
const MAX_REASON_LENGTH = 3000;

const KEYS_TEMPLATE = '{"apiKey": "...", "appKey": "..."}';

/**
 * Why the profiles' secrets cannot be read where the functions run, one sentence per profile;
 * empty when every one is there. A secret named by several profiles is described once.
 */
export async function profileSecretProblems(client: SecretsManagerClient, secrets: readonly ProfileSecretToCheck[], region: string): Promise<string[]> {
  const described = new Map<string, Promise<string | undefined>>();
  const problemOf = (secretId: string) => {
    let problem = described.get(secretId);
    if (!problem) {
      problem = secretProblem(client, secretId, region);
      described.set(secretId, problem);
    }
    return problem;
  };
  const problems = await Promise.all(
    secrets.map(async ({ profile, field, secretId }) => {
      const problem = await problemOf(secretId);
      return problem && `profile "${profile}": Secrets Manager secret "${secretId}" ${problem} or fix ${field}`;
    }),
  );
  return problems.filter((problem): problem is string => problem !== undefined);
}

/** What is wrong with one secret, worded to follow its name, ending where the field's fix is appended; undefined when it is there. */
async function secretProblem(client: SecretsManagerClient, secretId: string, region: string): Promise<string | undefined> {
  try {
    const secret = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
    if (secret.DeletedDate) return `is scheduled for deletion: restore it with aws secretsmanager restore-secret --secret-id ${secretId}`;
    return undefined;
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    if (name === 'ResourceNotFoundException') return `does not exist in this account and region (${region}): create it with ${KEYS_TEMPLATE}`;
    return `could not be checked (${name}: ${(error as Error).message}): make sure it exists in ${region} and holds ${KEYS_TEMPLATE},`;
  }
}

/** What CloudFormation reads back on the response URL. */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

export interface SecretsCheckDependencies {
  readonly client: SecretsManagerClient;
  /** Where the functions read their secrets (this function's region). */
  readonly region: string;
  /** Where the one line per request goes (the function's log). */
  readonly log: (line: string) => void;
}

/**
 * The custom resource's handler: Create and Update check the secrets (Update: the ones it adds)
 * and fail with the reasons; Delete always succeeds (there is nothing to undo, and a failed delete would block the stack).
 */
export function createSecretsCheckHandler(deps: SecretsCheckDependencies): (event: CloudFormationCustomResourceEvent, context?: RemainingTime) => Promise<void> {
  return async (event, context) => {
    const response = await withinTime(responseTo(event, deps), context, () => failure(event, 'the profiles\' secrets could not be checked in time (Secrets Manager did not answer): deploy again'));
    // Never the event itself: its ResponseURL is a pre-signed URL.
    deps.log(JSON.stringify({ message: 'profile secrets check', requestType: event.RequestType, status: response.Status, reason: response.Reason }));
    await sendResponse(event.ResponseURL, response);
  };
}

/** The part of Lambda's context the handler uses. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/** Time kept to send the answer: CloudFormation waits an hour for a function that timed out without one. */
export const RESPONSE_RESERVE_MS = 10_000;

/** The check's answer, or `late()` when the function's time would run out first. */
async function withinTime(check: Promise<CustomResourceResponse>, context: RemainingTime | undefined, late: () => CustomResourceResponse): Promise<CustomResourceResponse> {
  if (!context) return check;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CustomResourceResponse>((resolve) => {
    timer = setTimeout(() => resolve(late()), Math.max(0, context.getRemainingTimeInMillis() - RESPONSE_RESERVE_MS));
  });
  try {
    return await Promise.race([check, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function answer(event: CloudFormationCustomResourceEvent, Status: CustomResourceResponse['Status'], Reason?: string): CustomResourceResponse {
  return {
    Status,
    ...(Reason && { Reason: Reason.length > MAX_REASON_LENGTH ? `${Reason.slice(0, MAX_REASON_LENGTH - 3)}...` : Reason }),
    PhysicalResourceId: event.RequestType === 'Create' ? SECRETS_CHECK_PHYSICAL_ID : event.PhysicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
}

const failure = (event: CloudFormationCustomResourceEvent, reason: string) => answer(event, 'FAILED', reason);

async function responseTo(event: CloudFormationCustomResourceEvent, deps: SecretsCheckDependencies): Promise<CustomResourceResponse> {
  if (event.RequestType === 'Delete') return answer(event, 'SUCCESS');
  try {
    const properties = z.safeParse(secretsCheckPropertiesSchema, event.ResourceProperties);
    if (!properties.success) return failure(event, `the custom resource's properties are not a list of profile secrets: ${z.prettifyError(properties.error)}`);
    const problems = await profileSecretProblems(deps.client, secretsToCheck(event, properties.data.Secrets), deps.region);
    return problems.length === 0 ? answer(event, 'SUCCESS') : failure(event, problems.join('; '));
  } catch (error) {
    return failure(event, `the profiles' secrets could not be checked: ${(error as Error).message}`);
  }
}

/**
 * On Update, only the secrets the previous properties did not list: those were checked by the
 * deploy that added them. A rollback is an Update back to the previous list, so it checks
 * nothing again and cannot fail because a secret has gone since (UPDATE_ROLLBACK_FAILED).
 */
function secretsToCheck(event: CloudFormationCustomResourceEvent, secrets: readonly ProfileSecretToCheck[]): readonly ProfileSecretToCheck[] {
  if (event.RequestType !== 'Update') return secrets;
  const previous = z.safeParse(secretsCheckPropertiesSchema, event.OldResourceProperties);
  if (!previous.success) return secrets;
  const checked = new Set(previous.data.Secrets.map((secret) => secret.secretId));
  return secrets.filter((secret) => !checked.has(secret.secretId));
}

/** PUT to the pre-signed URL. A bytes body, so fetch sends no Content-Type: the URL was signed without one. */
async function sendResponse(url: string, response: CustomResourceResponse): Promise<void> {
  const answer = await fetch(url, { method: 'PUT', body: new TextEncoder().encode(JSON.stringify(response)) });
  if (!answer.ok) throw new Error(`CloudFormation's response URL answered HTTP ${answer.status}`);
}
