import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { iamCall } from './iam';
import { AwsApiError, type AwsServiceName, type Caller, type FakeAwsOrganization } from './model';
import { ORGANIZATIONS_TARGET_PREFIX, organizationsCall } from './organizations';
import { SECRETS_MANAGER_TARGET_PREFIX, secretsManagerCall } from './secrets-manager';
import { SSM_TARGET_PREFIX, ssmCall } from './ssm';
import {
  IAM_XMLNS,
  jsonError,
  parseCredential,
  QueryParams,
  queryError,
  queryResponse,
  STS_XMLNS,
  type Credential,
  type XmlValue,
} from './protocol';
import { stsActingAccount, stsCall } from './sts';

/**
 * Serves a FakeAwsOrganization to the real AWS SDK v3 clients on loopback, as an AWS emulator
 * would: point them at it with `endpoint` or AWS_ENDPOINT_URL. The service comes from the SigV4
 * credential scope, the caller from the access key ID (session keys from AssumeRole act in their
 * account, any other key is the management account's user). Signatures are not verified.
 */

export interface AwsStandinOptions {
  /** 0 (default): a free port. */
  port?: number;
}

export interface AwsStandin {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  model: FakeAwsOrganization;
  /** The environment that points the SDK (and our CLI) at the stand-in as the management account. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

/** The long-term key `env()` hands out; any key the stand-in did not issue acts as the management user. */
export const STANDIN_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const STANDIN_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** The JSON 1.1 services: X-Amz-Target is `<prefix>.<Operation>`. */
const JSON_TARGET_PREFIXES = { organizations: ORGANIZATIONS_TARGET_PREFIX, secretsmanager: SECRETS_MANAGER_TARGET_PREFIX, ssm: SSM_TARGET_PREFIX } as const;

const VERSIONS: Record<'sts' | 'iam', string> = { sts: '2011-06-15', iam: '2010-05-08' };
const XMLNS: Record<'sts' | 'iam', string> = { sts: STS_XMLNS, iam: IAM_XMLNS };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Which service a request is for: the credential scope, else the shape of the request. */
function serviceOf(credential: Credential | undefined, target: string | undefined, params: QueryParams): string {
  if (credential) return credential.service;
  if (target?.startsWith(`${ORGANIZATIONS_TARGET_PREFIX}.`)) return 'organizations';
  if (target?.startsWith(`${SECRETS_MANAGER_TARGET_PREFIX}.`)) return 'secretsmanager';
  if (target?.startsWith(`${SSM_TARGET_PREFIX}.`)) return 'ssm';
  if (params.get('Version') === VERSIONS.sts) return 'sts';
  return 'iam';
}

/** The caller, or the error the service answers for a missing, unknown or expired key. */
function authenticate(model: FakeAwsOrganization, credential: Credential | undefined, json: boolean): Caller | AwsApiError {
  if (!credential) {
    return json
      ? new AwsApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403)
      : new AwsApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  }
  return identifyCaller(model, credential.accessKeyId, credential.sessionToken, json);
}

/** The caller of a key, or the error a JSON (Organizations) or query (STS, IAM) service answers for an unknown or expired one. */
export function identifyCaller(model: FakeAwsOrganization, accessKeyId: string, sessionToken: string | undefined, json: boolean): Caller | AwsApiError {
  const caller = model.identify(accessKeyId, sessionToken);
  if (caller === 'invalid') {
    return json
      ? new AwsApiError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400)
      : new AwsApiError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  }
  if (caller === 'expired') {
    return json
      ? new AwsApiError('ExpiredTokenException', 'The security token included in the request is expired', 400)
      : new AwsApiError('ExpiredToken', 'The security token included in the request is expired', 403);
  }
  return caller;
}

function unexpected(error: unknown): AwsApiError {
  if (error instanceof AwsApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AwsApiError('InternalFailure', `The AWS stand-in failed: ${message}`, 500);
}

export async function startAwsStandin(model: FakeAwsOrganization, options: AwsStandinOptions = {}): Promise<AwsStandin> {
  const server = createServer((req, res) => {
    handle(model, req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    model,
    env: () => ({
      AWS_ENDPOINT_URL: url,
      AWS_REGION: model.partition === 'aws-us-gov' ? 'us-gov-west-1' : 'us-east-1',
      AWS_ACCESS_KEY_ID: STANDIN_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: STANDIN_SECRET_ACCESS_KEY,
    }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Points this process's environment at the stand-in, as a user's shell would (the real SDK
 * reads its endpoint and credentials there), with any extra variables; returns what puts the
 * environment back as it was.
 */
export function pointProcessAt(standin: AwsStandin, extra: NodeJS.ProcessEnv = {}): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, standin.env(), extra);
  delete process.env.AWS_PROFILE;
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}

async function handle(model: FakeAwsOrganization, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const target = header(req, 'x-amz-target');
  const contentType = header(req, 'content-type') ?? '';
  const query = QueryParams.parse(contentType.includes('json') ? '' : body);
  for (const [key, value] of url.searchParams) if (query.raw[key] === undefined) query.raw[key] = value;
  const credential = parseCredential(header(req, 'authorization'), url.searchParams, header(req, 'x-amz-security-token'));
  const service = serviceOf(credential, target, query);

  // The JSON 1.1 services: X-Amz-Target names the operation.
  if (service === 'organizations' || service === 'secretsmanager' || service === 'ssm') {
    const prefix = JSON_TARGET_PREFIXES[service];
    const send = (status: number, payload: string, errorType?: string): void => {
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': requestId,
        ...(errorType && { 'x-amzn-errortype': errorType }),
      });
      res.end(payload);
    };
    const fail = (error: AwsApiError): void => send(error.status, jsonError(error), error.code);
    if (!target?.startsWith(`${prefix}.`) || req.method !== 'POST') {
      return fail(new AwsApiError('UnknownOperationException', 'The operation is not recognised.', 400));
    }
    const operation = target.slice(prefix.length + 1);
    let input: Record<string, unknown> = {};
    try {
      const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) input = parsed as Record<string, unknown>;
      else throw new Error('not an object');
    } catch {
      return fail(new AwsApiError('SerializationException', 'The request body is not valid JSON.', 400));
    }
    return serve(model, {
      service,
      operation,
      params: input,
      credential,
      json: true,
      actingAccount: (caller) => caller.accountId,
      run: (caller) => {
        if (service === 'organizations') return organizationsCall(model, caller, operation, input);
        if (service === 'ssm') return ssmCall(model, caller, operation, input, credential?.region ?? 'us-east-1');
        return secretsManagerCall(model, caller, operation, input);
      },
      succeed: (output) => send(200, JSON.stringify(output)),
      fail,
    });
  }

  if (service === 'sts' || service === 'iam') {
    const xmlns = XMLNS[service];
    const fail = (error: AwsApiError): void => {
      res.writeHead(error.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(queryError(error, xmlns, requestId));
    };
    const action = query.get('Action');
    if (!action || query.get('Version') !== VERSIONS[service]) {
      return fail(new AwsApiError('InvalidAction', `Could not find operation ${action ?? ''} for version ${query.get('Version') ?? ''}`, 400));
    }
    const params: Record<string, unknown> = { ...query.raw };
    delete params.Action;
    delete params.Version;
    return serve(model, {
      service,
      operation: action,
      params,
      credential,
      json: false,
      actingAccount: (caller) => (service === 'sts' ? stsActingAccount(caller, action, query) : caller.accountId),
      run: (caller) => (service === 'sts' ? stsCall(model, caller, action, query) : iamCall(model, caller, action, query)),
      succeed: (output) => {
        res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
        res.end(queryResponse(action, xmlns, requestId, output as XmlValue | null));
      },
      fail,
    });
  }

  const error = new AwsApiError('UnrecognizedClientException', `The AWS stand-in does not emulate service '${service}'.`, 400);
  res.writeHead(400, { 'content-type': target ? 'application/x-amz-json-1.1' : 'text/xml', 'x-amzn-requestid': requestId });
  res.end(target ? jsonError(error) : queryError(error, IAM_XMLNS, requestId));
}

interface Call {
  service: AwsServiceName;
  operation: string;
  params: Record<string, unknown>;
  credential: Credential | undefined;
  /** JSON protocol (Organizations) rather than Query. */
  json: boolean;
  actingAccount: (caller: Caller) => string;
  run: (caller: Caller) => unknown;
  succeed: (output: unknown) => void;
  fail: (error: AwsApiError) => void;
}

/** Authenticates, applies injected faults, runs the operation, records the call, answers. */
function serve(model: FakeAwsOrganization, call: Call): void {
  const { service, operation, params, fail } = call;
  const caller = authenticate(model, call.credential, call.json);
  if (caller instanceof AwsApiError) {
    model.record({ service, operation, accountId: '', callerAccountId: '', callerArn: '', params, error: caller.code });
    return fail(caller);
  }
  const accountId = call.actingAccount(caller);
  const entry = { service, operation, accountId, callerAccountId: caller.accountId, callerArn: caller.arn, params };
  const fault = model.takeFault(service, operation, accountId);
  if (fault) {
    model.record({ ...entry, error: fault.code });
    return fail(fault);
  }
  let output: unknown;
  try {
    output = call.run(caller);
  } catch (error) {
    const answer = unexpected(error);
    model.record({ ...entry, error: answer.code });
    return fail(answer);
  }
  model.record(entry);
  call.succeed(output);
}
