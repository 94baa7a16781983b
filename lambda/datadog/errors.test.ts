/**
 * Datadog's errors as Datadog sends them: v2 JSON:API error objects (application/vnd.api+json),
 * v1 strings, and anything else a proxy may put in between, each shown as one readable sentence
 * with no key in it.
 */
import type { DatadogRequest } from './http';
import { DatadogAwsV1Client } from './v1/client';
import { DatadogAwsV2Client } from './v2/client';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { API_KEY, APP_KEY, apiError, makeHttp, startRawServer, type RawServer } from '../../test/support/datadog-http';

const ACCOUNT = '123456789012';
const ROLE = 'DatadogIntegrationRole';
const V2_CREATE: DatadogRequest = {
  operation: 'CreateAWSAccount',
  permission: 'aws_configurations_manage',
  method: 'POST',
  path: '/api/v2/integration/aws/accounts',
  body: { data: { type: 'account', attributes: { aws_account_id: ACCOUNT } } },
};

describe('a Datadog error body becomes one readable sentence (transport)', () => {
  let raw: RawServer;
  let reply: { status: number; body: string; headers?: Record<string, string> };
  beforeAll(async () => {
    raw = await startRawServer(() => ({ headers: { 'content-type': 'application/vnd.api+json' }, ...reply }));
  });
  afterAll(() => raw.stop());

  async function failWith(status: number, body: unknown) {
    reply = { status, body: typeof body === 'string' ? body : JSON.stringify(body) };
    return apiError(() => makeHttp(raw.url, { maxAttempts: 1 }).http.request(V2_CREATE));
  }

  it('409 with title and detail: no JSON in the message', async () => {
    const error = await failWith(409, {
      errors: [{ status: '409', title: 'Account already exists', detail: `AWS account ${ACCOUNT} with role ${ROLE} is already integrated`, meta: {} }],
    });
    expect(error.message).toBe(
      `CreateAWSAccount failed: Datadog answered 409 Conflict: Account already exists: AWS account ${ACCOUNT} with role ${ROLE} is already integrated`,
    );
    expect(error.errors).toEqual([`Account already exists: AWS account ${ACCOUNT} with role ${ROLE} is already integrated`]);
    expect(error).toMatchObject({ kind: 'conflict', status: 409 });
  });

  it("400 whose useful part is in meta", async () => {
    const error = await failWith(400, { errors: [{ status: '400', title: 'Bad Request', meta: { errors: ['aws_partition must be one of aws, aws-cn, aws-us-gov'] } }] });
    expect(error.message).toBe('CreateAWSAccount failed: Datadog answered 400 Bad Request: aws_partition must be one of aws, aws-cn, aws-us-gov');
    expect(error.kind).toBe('bad-request');
  });

  it('several error objects are joined with "; "', async () => {
    const error = await failWith(400, {
      errors: [
        { status: '400', title: 'Invalid Parameter', detail: 'role_name is required', source: { pointer: '/data/attributes/auth_config/role_name' } },
        { status: '400', title: 'Invalid Parameter', detail: 'aws_partition is invalid' },
      ],
    });
    expect(error.message).toBe(
      'CreateAWSAccount failed: Datadog answered 400 Bad Request: Invalid Parameter: role_name is required (at /data/attributes/auth_config/role_name); Invalid Parameter: aws_partition is invalid',
    );
  });

  it("v1's documented strings still read as they did", async () => {
    const error = await failWith(400, { errors: ['Invalid account_id'] });
    expect(error.message).toBe('CreateAWSAccount failed: Datadog answered 400 Bad Request: Invalid account_id');
  });

  it('a body that is not JSON (a proxy page) becomes a short excerpt', async () => {
    const error = await failWith(502, '<html>\n<body>Bad Gateway</body>\n</html>');
    expect(error.message).toBe('CreateAWSAccount failed: Datadog answered 502 Bad Gateway: <html> <body>Bad Gateway</body> </html>');
  });

  it('a huge body makes a short message', async () => {
    const error = await failWith(400, {
      errors: Array.from({ length: 1000 }, (_, i) => ({ status: '400', title: `Problem ${i}`, detail: 'd'.repeat(10_000), meta: { field: 'm'.repeat(10_000) } })),
    });
    expect(error.message.length).toBeLessThan(2000);
    expect(error.message).toContain('Problem 0: ddd');
    expect(error.message).toMatch(/; and 995 more$/);
    expect(error.errors).toHaveLength(6);
  });

  it('keys echoed anywhere in an error object (title, detail, meta, source) are masked', async () => {
    const error = await failWith(403, {
      errors: [{ status: '403', title: `key ${API_KEY}`, detail: `app key ${APP_KEY} lacks a permission`, meta: { api_key: API_KEY, nested: { app: APP_KEY } }, source: { header: APP_KEY } }],
    });
    for (const surface of [error.message, JSON.stringify(error.errors), error.stack ?? '', JSON.stringify(error)]) {
      expect(surface).not.toContain(API_KEY);
      expect(surface).not.toContain(APP_KEY);
    }
    expect(error.message).toContain('app key [redacted] lacks a permission');
    expect(error.message).toContain('api_key: [redacted]');
  });
});

describe("the stand-in answers errors in Datadog's shapes, and the clients read them", () => {
  const standin = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  beforeAll(() => standin.start());
  afterAll(() => standin.stop());
  beforeEach(() => standin.reset());

  async function rawAnswer(path: string, init: RequestInit = {}) {
    const response = await fetch(`${standin.url}${path}`, {
      ...init,
      headers: { 'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY, 'Content-Type': 'application/json', ...init.headers },
    });
    return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as unknown };
  }

  it('v2: JSON:API error objects, application/vnd.api+json', async () => {
    expect(await rawAnswer('/api/v2/integration/aws/accounts/unknown-id')).toEqual({
      status: 404,
      contentType: 'application/vnd.api+json',
      body: { errors: [{ status: '404', title: 'Not Found', detail: 'AWS account config unknown-id not found' }] },
    });
    expect(await rawAnswer('/api/v2/integration/aws/accounts', { headers: { 'DD-API-KEY': 'wrong-key-0000' } })).toEqual({
      status: 403,
      contentType: 'application/vnd.api+json',
      body: { errors: [{ status: '403', title: 'Forbidden' }] },
    });
    const invalid = await rawAnswer('/api/v2/integration/aws/accounts', {
      method: 'POST',
      body: JSON.stringify({ data: { type: 'account', attributes: { aws_account_id: ACCOUNT, aws_partition: 'mars', auth_config: { role_name: ROLE } } } }),
    });
    expect(invalid).toEqual({
      status: 400,
      contentType: 'application/vnd.api+json',
      body: { errors: [{ status: '400', title: 'Bad Request', detail: 'Invalid AWS account attributes', meta: { errors: ['aws_partition is invalid'] } }] },
    });
  });

  it("v2 as Datadog's document says (v2ErrorBodies = 'document'): strings, same content type", async () => {
    standin.v2ErrorBodies = 'document';
    try {
      expect(await rawAnswer('/api/v2/integration/aws/accounts/unknown-id')).toEqual({
        status: 404,
        contentType: 'application/vnd.api+json',
        body: { errors: ['AWS account config unknown-id not found'] },
      });
    } finally {
      standin.v2ErrorBodies = 'traffic';
    }
  });

  it('v1: strings, application/json', async () => {
    expect(await rawAnswer('/api/v1/integration/aws', { headers: { 'DD-API-KEY': 'wrong-key-0000' } })).toEqual({
      status: 403,
      contentType: 'application/json',
      body: { errors: ['Forbidden'] },
    });
  });

  it('v2 client: a duplicate create reads as one sentence', async () => {
    const client = new DatadogAwsV2Client(makeHttp(standin.url, { maxAttempts: 1 }).http);
    const create = { data: { type: 'account' as const, attributes: { aws_account_id: ACCOUNT, aws_partition: 'aws' as const, auth_config: { role_name: ROLE } } } };
    await client.createAccount(create);
    const error = await apiError(() => client.createAccount(create));
    expect(error.message).toBe(
      `CreateAWSAccount failed: Datadog answered 409 Conflict: Account already exists: AWS account ${ACCOUNT} with role ${ROLE} is already integrated`,
    );
    const invalid = await apiError(() => client.createAccount({ data: { ...create.data, attributes: { ...create.data.attributes, aws_account_id: '210987654321', aws_partition: 'mars' as 'aws' } } }));
    expect(invalid.message).toBe('CreateAWSAccount failed: Datadog answered 400 Bad Request: Invalid AWS account attributes (aws_partition is invalid)');
  });

  it('v1 client: a duplicate create reads as it always did', async () => {
    const client = new DatadogAwsV1Client(makeHttp(standin.url, { maxAttempts: 1 }).http);
    await client.createAccount({ account_id: ACCOUNT, role_name: ROLE });
    const error = await apiError(() => client.createAccount({ account_id: ACCOUNT, role_name: ROLE }));
    expect(error.message).toBe(`CreateAWSAccount failed: Datadog answered 409 Conflict: The AWS account ${ACCOUNT} with role ${ROLE} already exists`);
  });
});
