import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InputError } from '../domain/errors';

export interface DatadogCredentials {
  readonly apiKey: string;
  readonly appKey: string;
}

/** Resolves the keys when first needed; later calls reuse them. */
export type CredentialsProvider = () => Promise<DatadogCredentials>;

/** A credentials problem the user must fix (missing key, unreadable secret). Never carries a key. */
export class CredentialsError extends InputError {}

/**
 * The secret exists but holds no keys yet (empty, the stack's placeholder, or a key missing): the
 * deployed functions wait for them (accounts are retried later) instead of failing.
 */
export class KeysNotStoredError extends CredentialsError {}

export { PLACEHOLDER_KEYS } from './placeholder-keys';

// Header values must be visible ASCII: anything else would make fetch throw an error that quotes the value.
const HEADER_SAFE = /^[\x21-\x7e]+$/;

function checkKey(value: string, name: string, where: string): string {
  const key = value.trim();
  if (!key) throw new CredentialsError(`${name} is empty in ${where}`);
  if (!HEADER_SAFE.test(key)) {
    throw new CredentialsError(`${name} in ${where} contains spaces or characters that cannot be sent in an HTTP header; paste the key again`);
  }
  return key;
}

export function credentialsFromEnvironment(env: NodeJS.ProcessEnv): DatadogCredentials {
  const apiKey = env.DD_API_KEY;
  const appKey = env.DD_APP_KEY;
  if (!apiKey && !appKey) {
    throw new CredentialsError(
      'Datadog credentials are missing: set DD_API_KEY and DD_APP_KEY, or name a Secrets Manager secret with --secret-id (config: datadog.credentialsSecretId)',
    );
  }
  if (!apiKey) throw new CredentialsError('DD_API_KEY is not set (DD_APP_KEY is): set it to a Datadog API key');
  if (!appKey) throw new CredentialsError('DD_APP_KEY is not set (DD_API_KEY is): set it to a Datadog application key');
  return {
    apiKey: checkKey(apiKey, 'DD_API_KEY', 'the environment'),
    appKey: checkKey(appKey, 'DD_APP_KEY', 'the environment'),
  };
}

/** Reads a secret holding {"apiKey": "...", "appKey": "..."}. Errors name the secret, never its content. */
export async function credentialsFromSecret(client: SecretsManagerClient, secretId: string): Promise<DatadogCredentials> {
  const where = `Secrets Manager secret "${secretId}"`;
  let secretString: string | undefined;
  try {
    const response = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    secretString = response.SecretString;
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    const hints: Record<string, string> = {
      ResourceNotFoundException: 'it does not exist in this account and region (check the name and AWS_REGION)',
      AccessDeniedException: 'access denied: the caller needs secretsmanager:GetSecretValue on it (and kms:Decrypt on its key)',
      DecryptionFailure: 'its KMS key could not decrypt it',
    };
    throw new CredentialsError(`cannot read ${where}: ${hints[name] ?? `${name}: ${(error as Error).message}`}`, { cause: error });
  }
  if (!secretString) throw new KeysNotStoredError(`${where} has no string value; store a JSON object {"apiKey": "...", "appKey": "..."}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    // JSON.parse's own message quotes the input, which is the secret: never pass it on.
    throw new CredentialsError(`${where} is not JSON; store a JSON object {"apiKey": "...", "appKey": "..."}`);
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  for (const field of ['apiKey', 'appKey'] as const) {
    if (typeof record[field] !== 'string') {
      throw new KeysNotStoredError(`${where} has no string field "${field}"; store a JSON object {"apiKey": "...", "appKey": "..."}`);
    }
    if (!(record[field] as string).trim()) {
      throw new KeysNotStoredError(`${field} is empty in ${where}: store the Datadog keys, e.g. aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string '{"apiKey":"...","appKey":"..."}'`);
    }
  }
  return {
    apiKey: checkKey(record.apiKey as string, 'apiKey', where),
    appKey: checkKey(record.appKey as string, 'appKey', where),
  };
}

/** Caches the first successful read; a failed read is retried on the next call. */
export function cachedCredentials(load: () => Promise<DatadogCredentials>): CredentialsProvider {
  let pending: Promise<DatadogCredentials> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

export interface CredentialsSource {
  readonly secretId?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Built only when a secret is named, so the environment path needs no AWS client. */
  readonly secretsManager: () => SecretsManagerClient;
}

/** A secret named explicitly wins over the environment; otherwise DD_API_KEY / DD_APP_KEY. */
export function credentialsProvider(source: CredentialsSource): CredentialsProvider {
  const { secretId } = source;
  return cachedCredentials(async () =>
    secretId ? credentialsFromSecret(source.secretsManager(), secretId) : credentialsFromEnvironment(source.env),
  );
}
