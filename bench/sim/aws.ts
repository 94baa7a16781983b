/**
 * In-process stand-ins for the AWS SDK v3 Organizations, STS and IAM clients, over a
 * FakeAwsOrganization and through simulated latency and rate limits. Each has the SDK client's
 * `send(command)`: it dispatches on the command's class name (DescribeAccountCommand ->
 * DescribeAccount) with `command.input`, so the product's code takes them cast
 * `as unknown as OrganizationsClient` and runs unchanged.
 *
 * The operations are the AWS stand-in's own (standins/aws: organizationsCall, stsCall,
 * iamCall, which the HTTP stand-in serves to the real SDK), called in-process: the same input
 * checks, paging (Organizations: at most 20 per page; IAM: Marker/MaxItems), error codes,
 * call log and injected faults (model.failNext). What the wire and the SDK's deserializers
 * would add is added here: outputs in the SDK's shapes and types (Dates, URL-encoded IAM
 * documents, `$metadata`), and errors as the SDK's own exception classes, so `instanceof
 * AccountNotFoundException` or `NoSuchEntityException` holds in the product's code.
 */

import * as organizationsSdk from '@aws-sdk/client-organizations';
import * as iamSdk from '@aws-sdk/client-iam';
import * as secretsManagerSdk from '@aws-sdk/client-secrets-manager';
import * as stsSdk from '@aws-sdk/client-sts';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { STSClient } from '@aws-sdk/client-sts';
import { iamCall } from '@datadog-aws-org-integration/standins/aws/iam';
import { AwsApiError, IAM_WRITE_OPERATIONS, type AwsServiceName as StandinServiceName, type Caller, type FakeAwsOrganization } from '@datadog-aws-org-integration/standins/aws/model';

/** The services the simulation charges for (SSM is read only by the CLI: not simulated). Secrets Manager holds the keys of the profiles' own Datadog targets. */
type AwsServiceName = Exclude<StandinServiceName, 'ssm'>;
import { organizationsCall } from '@datadog-aws-org-integration/standins/aws/organizations';
import { QueryParams } from '@datadog-aws-org-integration/standins/aws/protocol';
import { secretsManagerCall } from '@datadog-aws-org-integration/standins/aws/secrets-manager';
import { identifyCaller } from '@datadog-aws-org-integration/standins/aws/server';
import { stsActingAccount, stsCall } from '@datadog-aws-org-integration/standins/aws/sts';
import type { VirtualClock } from './clock';
import { SimulatedService, type ServiceLimits } from './limits';

/** An SDK v3 command: its class name names the operation; `input` is what our code passed. */
export interface SdkCommand {
  readonly input?: unknown;
}

/** What identifies a caller: any key the model did not issue is the management account's user. */
export interface AwsCredentialsLike {
  readonly accessKeyId: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
}

export type ServiceLimitOptions = Partial<Omit<ServiceLimits, 'name'>>;

export interface SimulatedAwsOptions {
  /** Latency 60 ms, 10 calls per second. */
  organizations?: ServiceLimitOptions;
  /** Latency 80 ms, no rate limit. */
  sts?: ServiceLimitOptions;
  /** Latency 80 ms, no rate limit (one IAM service for every account). */
  iam?: ServiceLimitOptions;
  /** Latency 50 ms, no rate limit (GetSecretValue: once per target per cold start). */
  secretsmanager?: ServiceLimitOptions;
  /** Log every call in model.calls, as the HTTP stand-in does (true). */
  recordCalls?: boolean;
}

export const DEFAULT_AWS_LIMITS = {
  organizations: { latencyMs: 60, ratePerSecond: 10 },
  sts: { latencyMs: 80 },
  iam: { latencyMs: 80 },
  secretsmanager: { latencyMs: 50 },
} as const satisfies Record<AwsServiceName, ServiceLimitOptions>;

/** The long-term key the management-account clients use (not ASIA...: the model's management user). */
export const SIMULATED_MANAGEMENT_KEY: AwsCredentialsLike = { accessKeyId: 'AKIASIMULATEDBENCH00' };

type Input = Record<string, unknown>;
type ExceptionClass = new (options: Record<string, unknown>) => Error;

interface ServiceSpec {
  readonly service: AwsServiceName;
  /** Organizations speaks JSON 1.1; STS and IAM the Query protocol (the auth error codes differ). */
  readonly json: boolean;
  readonly sdk: Record<string, unknown>;
  readonly baseException: ExceptionClass;
  readonly isWrite: (operation: string) => boolean;
  readonly actingAccount: (caller: Caller, operation: string, input: Input) => string;
  readonly run: (model: FakeAwsOrganization, caller: Caller, operation: string, input: Input) => unknown;
  /** Turns the operation's answer into the SDK's output shape. */
  readonly output: (value: unknown) => Record<string, unknown>;
}

/** Shared by the clients of one simulation. */
interface Context {
  readonly model: FakeAwsOrganization;
  readonly recordCalls: boolean;
  requestSeq: number;
}

// ------------------------------------------------------------------ wire-format stand-ins

/** SDK input -> Query protocol parameters: lists as Name.member.N, structures as Name.Field. */
export function toQueryParams(input: Input): Record<string, string> {
  const params: Record<string, string> = {};
  const put = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      if (value.length === 0) params[key] = '';
      value.forEach((item, index) => put(`${key}.member.${index + 1}`, item));
    } else if (value instanceof Date) {
      params[key] = value.toISOString();
    } else if (typeof value === 'object') {
      for (const [field, child] of Object.entries(value)) put(`${key}.${field}`, child);
    } else {
      params[key] = String(value);
    }
  };
  for (const [key, value] of Object.entries(input)) put(key, value);
  return params;
}

/** A deep copy without undefined fields (absent members are absent in SDK output), Dates as Dates. */
function sdkShape(value: unknown, timestampKeys: ReadonlySet<string>, key?: string): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (typeof value === 'number' && key !== undefined && timestampKeys.has(key)) return new Date(value * 1000);
  if (Array.isArray(value)) return value.map((item) => sdkShape(item, timestampKeys));
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [field, child] of Object.entries(value)) {
      if (child !== undefined) copy[field] = sdkShape(child, timestampKeys, field);
    }
    return copy;
  }
  return value;
}

const NO_TIMESTAMPS: ReadonlySet<string> = new Set();
/** Organizations' JSON carries timestamps as epoch seconds; the SDK hands out Dates. */
const ORGANIZATIONS_TIMESTAMPS: ReadonlySet<string> = new Set(['JoinedTimestamp', 'RequestedTimestamp', 'CompletedTimestamp']);
const SECRETS_MANAGER_TIMESTAMPS: ReadonlySet<string> = new Set(['CreatedDate']);

const toObject = (value: unknown, timestamps: ReadonlySet<string>): Record<string, unknown> =>
  value === null || value === undefined ? {} : (sdkShape(value, timestamps) as Record<string, unknown>);

const exceptionCache = new Map<string, ExceptionClass | null>();

/** The SDK's modeled exception for an error code (NoSuchEntity -> NoSuchEntityException), if any. */
function modeledException(spec: ServiceSpec, code: string): ExceptionClass | undefined {
  const cacheKey = `${spec.service}:${code}`;
  let found = exceptionCache.get(cacheKey);
  if (found === undefined) {
    found = null;
    for (const name of [code, `${code}Exception`]) {
      const candidate = spec.sdk[name];
      if (typeof candidate === 'function' && Object.prototype.isPrototypeOf.call(spec.baseException.prototype, candidate.prototype)) {
        found = candidate as ExceptionClass;
        break;
      }
    }
    exceptionCache.set(cacheKey, found);
  }
  return found ?? undefined;
}

/** What the SDK throws for the error: its modeled class, else its service exception named by the code. */
export function toSdkError(service: AwsServiceName, error: AwsApiError, requestId = 'simulated'): Error {
  const spec = SPECS[service];
  const $metadata = { httpStatusCode: error.status, requestId, attempts: 1, totalRetryDelay: 0 };
  const modeled = modeledException(spec, error.code);
  if (modeled) return new modeled({ message: error.message, Message: error.message, $metadata, ...error.extra });
  return new spec.baseException({
    name: error.code,
    $fault: error.status >= 500 ? 'server' : 'client',
    $metadata,
    message: error.message,
    ...error.extra,
  });
}

const SPECS: Record<AwsServiceName, ServiceSpec> = {
  organizations: {
    service: 'organizations',
    json: true,
    sdk: organizationsSdk as unknown as Record<string, unknown>,
    baseException: organizationsSdk.OrganizationsServiceException as unknown as ExceptionClass,
    isWrite: () => false,
    actingAccount: (caller) => caller.accountId,
    run: (model, caller, operation, input) => organizationsCall(model, caller, operation, input),
    output: (value) => toObject(value, ORGANIZATIONS_TIMESTAMPS),
  },
  sts: {
    service: 'sts',
    json: false,
    sdk: stsSdk as unknown as Record<string, unknown>,
    baseException: stsSdk.STSServiceException as unknown as ExceptionClass,
    isWrite: () => false,
    actingAccount: (caller, operation, input) => stsActingAccount(caller, operation, new QueryParams(toQueryParams(input))),
    run: (model, caller, operation, input) => stsCall(model, caller, operation, new QueryParams(toQueryParams(input))),
    output: (value) => toObject(value, NO_TIMESTAMPS),
  },
  iam: {
    service: 'iam',
    json: false,
    sdk: iamSdk as unknown as Record<string, unknown>,
    baseException: iamSdk.IAMServiceException as unknown as ExceptionClass,
    isWrite: (operation) => IAM_WRITE_OPERATIONS.has(operation),
    actingAccount: (caller) => caller.accountId,
    run: (model, caller, operation, input) => iamCall(model, caller, operation, new QueryParams(toQueryParams(input))),
    output: (value) => toObject(value, NO_TIMESTAMPS),
  },
  secretsmanager: {
    service: 'secretsmanager',
    json: true,
    sdk: secretsManagerSdk as unknown as Record<string, unknown>,
    baseException: secretsManagerSdk.SecretsManagerServiceException as unknown as ExceptionClass,
    isWrite: () => false,
    actingAccount: (caller) => caller.accountId,
    run: (model, caller, operation, input) => secretsManagerCall(model, caller, operation, input),
    output: (value) => toObject(value, SECRETS_MANAGER_TIMESTAMPS),
  },
};

/** DescribeAccountCommand -> DescribeAccount. */
export function operationOf(command: SdkCommand): string {
  const name = (command as { constructor?: { name?: string } }).constructor?.name ?? '';
  if (!name.endsWith('Command') || name === 'Command') {
    throw new TypeError(`not an AWS SDK v3 command: ${name || typeof command}`);
  }
  return name.slice(0, -'Command'.length);
}

// ------------------------------------------------------------------ the clients

/** One SDK client stand-in: a service, the caller's credentials, and `send`. */
export class SimulatedAwsClient {
  constructor(
    private readonly context: Context,
    private readonly spec: ServiceSpec,
    /** The simulated service (latency, rate limit, counters) its calls go through. */
    readonly service: SimulatedService,
    readonly credentials: AwsCredentialsLike,
  ) {}

  /** Like the SDK client's send: resolves with the output, rejects with the SDK's exception. */
  send(command: SdkCommand, _options?: unknown): Promise<Record<string, unknown>> {
    let operation: string;
    try {
      operation = operationOf(command);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const input = (command.input ?? {}) as Input;
    return this.service.call(operation, () => this.execute(operation, input), { write: this.spec.isWrite(operation) });
  }

  /** The SDK clients have it; nothing to release here. */
  destroy(): void {}

  /** Authenticates, applies injected faults, runs the operation, logs the call (as the HTTP stand-in serves one). */
  private execute(operation: string, input: Input): Record<string, unknown> {
    const { model } = this.context;
    const { spec } = this;
    const requestId = `sim-${spec.service}-${++this.context.requestSeq}`;
    const params = spec.json ? input : toQueryParams(input);
    const caller = this.authenticate();
    if (caller instanceof AwsApiError) {
      this.record({ service: spec.service, operation, accountId: '', callerAccountId: '', callerArn: '', params, error: caller.code });
      throw toSdkError(spec.service, caller, requestId);
    }
    const entry = {
      service: spec.service,
      operation,
      accountId: spec.actingAccount(caller, operation, input),
      callerAccountId: caller.accountId,
      callerArn: caller.arn,
      params,
    };
    const fault = model.takeFault(spec.service, operation, entry.accountId);
    if (fault) {
      this.record({ ...entry, error: fault.code });
      throw toSdkError(spec.service, fault, requestId);
    }
    let answer: unknown;
    try {
      answer = spec.run(model, caller, operation, input);
    } catch (error) {
      const apiError =
        error instanceof AwsApiError
          ? error
          : new AwsApiError('InternalFailure', `The simulated ${spec.service} failed: ${(error as Error)?.message ?? String(error)}`, 500);
      this.record({ ...entry, error: apiError.code });
      const sdkError = toSdkError(spec.service, apiError, requestId);
      if (apiError !== error) (sdkError as Error & { cause?: unknown }).cause = error;
      throw sdkError;
    }
    this.record(entry);
    return { ...spec.output(answer), $metadata: { httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 } };
  }

  private authenticate(): Caller | AwsApiError {
    return identifyCaller(this.context.model, this.credentials.accessKeyId, this.credentials.sessionToken, this.spec.json);
  }


  private record(call: Parameters<FakeAwsOrganization['record']>[0]): void {
    if (this.context.recordCalls) this.context.model.record(call);
  }
}

export interface SimulatedAws {
  /** Organizations as the management account. */
  readonly organizations: SimulatedAwsClient;
  /** STS as the management account's user. */
  readonly sts: SimulatedAwsClient;
  /** IAM acting as whoever the credentials name: AssumeRole's credentials act in the role's account. */
  iamFor(credentials?: AwsCredentialsLike): SimulatedAwsClient;
  /** STS with other credentials (role chaining). */
  stsFor(credentials: AwsCredentialsLike): SimulatedAwsClient;
  /** Secrets Manager as the management account (where the stack keeps the secrets). */
  readonly secretsManager: SimulatedAwsClient;
  readonly services: { readonly organizations: SimulatedService; readonly sts: SimulatedService; readonly iam: SimulatedService; readonly secretsmanager: SimulatedService };
  /** The same clients typed as the SDK's, for the product's code. */
  readonly sdk: {
    readonly organizations: OrganizationsClient;
    readonly sts: STSClient;
    readonly secretsManager: SecretsManagerClient;
    iamFor(credentials?: AwsCredentialsLike): IAMClient;
  };
}

function limitsFor(service: AwsServiceName, overrides: ServiceLimitOptions | undefined): ServiceLimits {
  return { name: service, ...DEFAULT_AWS_LIMITS[service], ...overrides } as ServiceLimits;
}

/** Organizations, STS and IAM over `model`, costed in `clock`'s virtual time. */
export function createSimulatedAws(model: FakeAwsOrganization, clock: VirtualClock, options: SimulatedAwsOptions = {}): SimulatedAws {
  const context: Context = { model, recordCalls: options.recordCalls ?? true, requestSeq: 0 };
  const services = {
    organizations: new SimulatedService(clock, limitsFor('organizations', options.organizations)),
    sts: new SimulatedService(clock, limitsFor('sts', options.sts)),
    iam: new SimulatedService(clock, limitsFor('iam', options.iam)),
    secretsmanager: new SimulatedService(clock, limitsFor('secretsmanager', options.secretsmanager)),
  };
  const organizations = new SimulatedAwsClient(context, SPECS.organizations, services.organizations, SIMULATED_MANAGEMENT_KEY);
  const sts = new SimulatedAwsClient(context, SPECS.sts, services.sts, SIMULATED_MANAGEMENT_KEY);
  const secretsManager = new SimulatedAwsClient(context, SPECS.secretsmanager, services.secretsmanager, SIMULATED_MANAGEMENT_KEY);
  const iamFor = (credentials: AwsCredentialsLike = SIMULATED_MANAGEMENT_KEY) =>
    new SimulatedAwsClient(context, SPECS.iam, services.iam, credentials);
  const stsFor = (credentials: AwsCredentialsLike) => new SimulatedAwsClient(context, SPECS.sts, services.sts, credentials);
  return {
    organizations,
    sts,
    iamFor,
    stsFor,
    secretsManager,
    services,
    sdk: {
      organizations: organizations as unknown as OrganizationsClient,
      sts: sts as unknown as STSClient,
      secretsManager: secretsManager as unknown as SecretsManagerClient,
      iamFor: (credentials) => iamFor(credentials) as unknown as IAMClient,
    },
  };
}
