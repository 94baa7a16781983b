import {
  DecryptionFailure,
  GetSecretValueCommand,
  InternalServiceError,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CredentialsError,
  cachedCredentials,
  credentialsFromEnvironment,
  credentialsFromSecret,
  credentialsProvider,
  type DatadogCredentials,
} from './credentials';
import { InputError } from '../domain/errors';
import { API_KEY, APP_KEY, caught } from '../../test/support/datadog-http';

const SECRET_ID = 'datadog/aws-org-integration';

/** One mock for the whole file: mockClient() on the same class again would silently detach an earlier one. */
const secretsManager = mockClient(SecretsManagerClient);

beforeEach(() => {
  secretsManager.reset();
});

afterAll(() => {
  secretsManager.restore();
});

async function credentialsError(fn: () => unknown): Promise<CredentialsError> {
  const error = await caught(fn);
  expect(error).toBeInstanceOf(CredentialsError);
  expect(error).toBeInstanceOf(InputError);
  return error as CredentialsError;
}

describe('credentialsFromEnvironment', () => {
  it('reads DD_API_KEY and DD_APP_KEY', () => {
    expect(credentialsFromEnvironment({ DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY })).toEqual({ apiKey: API_KEY, appKey: APP_KEY });
  });

  it('trims whitespace around the keys (a pasted trailing newline)', () => {
    expect(credentialsFromEnvironment({ DD_API_KEY: `  ${API_KEY}\n`, DD_APP_KEY: `\t${APP_KEY} ` })).toEqual({
      apiKey: API_KEY,
      appKey: APP_KEY,
    });
  });

  it.each<[string, NodeJS.ProcessEnv]>([
    ['both unset', {}],
    ['both empty', { DD_API_KEY: '', DD_APP_KEY: '' }],
  ])('%s: names both variables and --secret-id', async (_name, env) => {
    const error = await credentialsError(() => credentialsFromEnvironment(env));

    expect(error.message).toContain('DD_API_KEY');
    expect(error.message).toContain('DD_APP_KEY');
    expect(error.message).toContain('--secret-id');
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['DD_API_KEY', { DD_APP_KEY: APP_KEY }, 'DD_API_KEY is not set'],
    ['DD_APP_KEY', { DD_API_KEY: API_KEY }, 'DD_APP_KEY is not set'],
  ])('only %s missing: names it', async (_name, env, expected) => {
    const error = await credentialsError(() => credentialsFromEnvironment(env));

    expect(error.message).toContain(expected);
    expect(error.message).not.toContain(API_KEY);
    expect(error.message).not.toContain(APP_KEY);
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['DD_API_KEY', { DD_API_KEY: '   ', DD_APP_KEY: APP_KEY }, 'DD_API_KEY is empty'],
    ['DD_APP_KEY', { DD_API_KEY: API_KEY, DD_APP_KEY: '\n' }, 'DD_APP_KEY is empty'],
  ])('%s of only whitespace is empty', async (_name, env, expected) => {
    const error = await credentialsError(() => credentialsFromEnvironment(env));
    expect(error.message).toContain(expected);
  });

  it.each<[string, string, 'DD_API_KEY' | 'DD_APP_KEY']>([
    ['a newline inside the API key', 'abcd1234\nefgh5678', 'DD_API_KEY'],
    ['a space inside the API key', 'abcd1234 efgh5678', 'DD_API_KEY'],
    ['a tab inside the app key', 'abcd1234\tefgh5678', 'DD_APP_KEY'],
    ['a non-ASCII character in the app key', 'abcd1234é5678', 'DD_APP_KEY'],
  ])('%s is rejected without quoting the key', async (_name, bad, variable) => {
    const env = variable === 'DD_API_KEY' ? { DD_API_KEY: bad, DD_APP_KEY: APP_KEY } : { DD_API_KEY: API_KEY, DD_APP_KEY: bad };

    const error = await credentialsError(() => credentialsFromEnvironment(env));

    expect(error.message).toContain(variable);
    expect(error.message).toContain('cannot be sent in an HTTP header');
    for (const part of [bad, ...bad.split(/\s/), API_KEY, APP_KEY]) expect(error.message).not.toContain(part);
  });
});

describe('credentialsFromSecret', () => {
  let client: SecretsManagerClient;

  beforeEach(() => {
    client = new SecretsManagerClient({ region: 'us-east-1' });
  });

  it('reads {"apiKey", "appKey"} from the named secret, trimmed', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: SECRET_ID })
      .resolves({ SecretString: JSON.stringify({ apiKey: ` ${API_KEY}`, appKey: `${APP_KEY}\n`, note: 'extra fields are fine' }) });

    await expect(credentialsFromSecret(client, SECRET_ID)).resolves.toEqual({ apiKey: API_KEY, appKey: APP_KEY });
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: SECRET_ID }]);
  });

  it.each<[string, Error, string]>([
    [
      'ResourceNotFoundException',
      new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }),
      'does not exist in this account and region',
    ],
    [
      'AccessDeniedException',
      Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/x is not authorized'), { name: 'AccessDeniedException' }),
      'secretsmanager:GetSecretValue',
    ],
    [
      'DecryptionFailure',
      new DecryptionFailure({ message: 'KMS says no', $metadata: {} }),
      'KMS key could not decrypt it',
    ],
    [
      'another error',
      new InternalServiceError({ message: 'something broke', $metadata: {} }),
      'InternalServiceError: something broke',
    ],
  ])('%s: CredentialsError naming the secret, with a hint', async (_name, failure, hint) => {
    secretsManager.on(GetSecretValueCommand).rejects(failure);

    const error = await credentialsError(() => credentialsFromSecret(client, SECRET_ID));

    expect(error.message).toContain(`Secrets Manager secret "${SECRET_ID}"`);
    expect(error.message).toContain(hint);
  });

  it('a secret that is not JSON: the error does not contain the secret text', async () => {
    const secretText = `apiKey=${API_KEY} appKey=${APP_KEY}`;
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: secretText });

    const error = await credentialsError(() => credentialsFromSecret(client, SECRET_ID));

    expect(error.message).toContain('is not JSON');
    expect(error.message).toContain(SECRET_ID);
    for (const part of [secretText, API_KEY, APP_KEY, 'apiKey=']) expect(error.message).not.toContain(part);
    expect(JSON.stringify(error)).not.toContain(API_KEY);
    expect(error.stack ?? '').not.toContain(API_KEY);
  });

  it.each<[string, unknown, string]>([
    ['no appKey', { apiKey: API_KEY }, 'no string field "appKey"'],
    ['no apiKey', { appKey: APP_KEY }, 'no string field "apiKey"'],
    ['an appKey that is not a string', { apiKey: API_KEY, appKey: 12345 }, 'no string field "appKey"'],
    ['differently spelled fields', { api_key: API_KEY, app_key: APP_KEY }, 'no string field "apiKey"'],
    ['a JSON array', [API_KEY, APP_KEY], 'no string field "apiKey"'],
    ['JSON null', null, 'no string field "apiKey"'],
    ['a JSON string', API_KEY, 'no string field "apiKey"'],
    ['an empty appKey', { apiKey: API_KEY, appKey: '  ' }, 'appKey is empty'],
    ['an apiKey with a space inside', { apiKey: 'abcd efgh', appKey: APP_KEY }, 'cannot be sent in an HTTP header'],
  ])('a secret with %s is rejected without its content', async (_name, content, expected) => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(content) });

    const error = await credentialsError(() => credentialsFromSecret(client, SECRET_ID));

    expect(error.message).toContain(expected);
    expect(error.message).toContain(SECRET_ID);
    expect(error.message).not.toContain(API_KEY);
    expect(error.message).not.toContain(APP_KEY);
    expect(error.message).not.toContain('abcd efgh');
  });

  it.each<[string, object]>([
    ['a binary secret', { SecretBinary: new Uint8Array([1, 2, 3]) }],
    ['an empty string', { SecretString: '' }],
  ])('%s has no string value', async (_name, response) => {
    secretsManager.on(GetSecretValueCommand).resolves(response);

    const error = await credentialsError(() => credentialsFromSecret(client, SECRET_ID));

    expect(error.message).toContain('has no string value');
  });
});

describe('cachedCredentials', () => {
  const GOOD: DatadogCredentials = { apiKey: API_KEY, appKey: APP_KEY };

  it('reads once: later calls reuse the result', async () => {
    const load = jest.fn(async () => GOOD);
    const provider = cachedCredentials(load);

    await expect(provider()).resolves.toEqual(GOOD);
    await expect(provider()).resolves.toEqual(GOOD);

    expect(load).toHaveBeenCalledTimes(1);
  });

  it('concurrent first calls share one read', async () => {
    const load = jest.fn(async () => GOOD);
    const provider = cachedCredentials(load);

    await Promise.all([provider(), provider(), provider()]);

    expect(load).toHaveBeenCalledTimes(1);
  });

  it('a failed read is not cached: the next call reads again', async () => {
    const load = jest
      .fn<Promise<DatadogCredentials>, []>()
      .mockRejectedValueOnce(new CredentialsError('throttled'))
      .mockResolvedValue(GOOD);
    const provider = cachedCredentials(load);

    await expect(provider()).rejects.toThrow('throttled');
    await expect(provider()).resolves.toEqual(GOOD);
    await expect(provider()).resolves.toEqual(GOOD);

    expect(load).toHaveBeenCalledTimes(2);
  });

  it('with Secrets Manager: two calls, one GetSecretValue; a failure is retried', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ SecretString: JSON.stringify({ apiKey: API_KEY, appKey: APP_KEY }) });
    const client = new SecretsManagerClient({ region: 'us-east-1' });
    const provider = cachedCredentials(() => credentialsFromSecret(client, SECRET_ID));

    await expect(provider()).rejects.toThrow(/ThrottlingException/);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);

    await expect(provider()).resolves.toEqual(GOOD);
    await expect(provider()).resolves.toEqual(GOOD);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});

describe('credentialsProvider', () => {
  const ENV = { DD_API_KEY: 'envapikey0000', DD_APP_KEY: 'envappkey0000' };

  beforeEach(() => {
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: JSON.stringify({ apiKey: API_KEY, appKey: APP_KEY }) });
  });

  it('prefers the named secret over the environment', async () => {
    const factory = jest.fn(() => new SecretsManagerClient({ region: 'us-east-1' }));
    const provider = credentialsProvider({ secretId: SECRET_ID, env: ENV, secretsManager: factory });

    await expect(provider()).resolves.toEqual({ apiKey: API_KEY, appKey: APP_KEY });
    await expect(provider()).resolves.toEqual({ apiKey: API_KEY, appKey: APP_KEY });

    expect(factory).toHaveBeenCalledTimes(1);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it.each([undefined, ''])('without a secret ID (%p) uses the environment and never builds a Secrets Manager client', async (secretId) => {
    const factory = jest.fn((): SecretsManagerClient => {
      throw new Error('must not be called');
    });
    const provider = credentialsProvider({ secretId, env: ENV, secretsManager: factory });

    await expect(provider()).resolves.toEqual({ apiKey: 'envapikey0000', appKey: 'envappkey0000' });

    expect(factory).not.toHaveBeenCalled();
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('an environment without keys rejects (not throws) with the CredentialsError', async () => {
    const provider = credentialsProvider({ env: {}, secretsManager: () => new SecretsManagerClient({}) });

    await expect(provider()).rejects.toBeInstanceOf(CredentialsError);
  });
});
