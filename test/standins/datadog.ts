import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { AWSAccount } from '../../lambda/datadog/v1/types';
import { DatadogHttpStandin, send, type RoutedRequest } from './datadog-http';

export type { Fault, RecordedRequest } from './datadog-http';

/**
 * A stateful stand-in for Datadog's v1 AWS integration API on loopback. It keeps the
 * integrations in memory, answers like Datadog (statuses and `errors` bodies), checks the
 * auth headers, and can inject faults: statuses with headers, delays, hangs and resets.
 */

export interface DatadogStandinOptions {
  apiKey: string;
  appKey: string;
  namespaces?: string[];
}

export const STANDIN_NAMESPACES = [
  'api_gateway', 'application_elb', 'auto_scaling', 'cloudfront', 'dynamodb', 'ebs', 'ec2',
  'ecs', 'elasticache', 'elb', 'lambda', 'network_elb', 'rds', 's3', 'sns', 'sqs',
];

interface StoredAccount extends AWSAccount {
  external_id?: string;
}

const PATH = '/api/v1/integration/aws';

export class DatadogStandin extends DatadogHttpStandin {
  private readonly accounts = new Map<string, StoredAccount>();

  constructor(private readonly options: DatadogStandinOptions) {
    super(options, 'Datadog stand-in');
  }

  /** Integrations as stored, external IDs included (what Datadog knows, not what it lists). */
  stored(): StoredAccount[] {
    return [...this.accounts.values()].map((a) => structuredClone(a));
  }

  /** Puts an integration in place directly, e.g. one that another team owns. */
  seed(account: StoredAccount): void {
    this.accounts.set(keyOf(account), structuredClone(account));
  }

  reset(): void {
    this.accounts.clear();
    this.clearRequestsAndFaults();
  }

  protected route({ method, url, body }: RoutedRequest, res: ServerResponse): void {
    switch (`${method} ${url.pathname}`) {
      case `GET ${PATH}`:
        return send(res, 200, { accounts: this.list(url.searchParams) });
      case `POST ${PATH}`:
        return this.create(res, body);
      case `PUT ${PATH}`:
        return this.update(res, url.searchParams, body);
      case `DELETE ${PATH}`:
        return this.remove(res, body);
      case `GET ${PATH}/available_namespace_rules`:
        return send(res, 200, this.options.namespaces ?? STANDIN_NAMESPACES);
      case `PUT ${PATH}/generate_new_external_id`:
        return this.rotate(res, body);
      default:
        return send(res, 404, { errors: ['Not found'] });
    }
  }

  private list(params: URLSearchParams): AWSAccount[] {
    const filters = ['account_id', 'role_name', 'access_key_id'] as const;
    return [...this.accounts.values()]
      .filter((a) => filters.every((f) => !params.has(f) || a[f] === params.get(f)))
      .map(({ external_id: _hidden, secret_access_key: _secret, ...visible }) => structuredClone(visible));
  }

  private create(res: ServerResponse, body: unknown): void {
    const account = body as StoredAccount | undefined;
    const problem = invalidAccount(account);
    if (problem) return send(res, 400, { errors: [problem] });
    const key = keyOf(account!);
    if (this.accounts.has(key)) {
      return send(res, 409, { errors: [`The AWS account ${account!.account_id} with role ${account!.role_name} already exists`] });
    }
    const external_id = account!.role_name ? newExternalId() : undefined;
    this.accounts.set(key, { ...structuredClone(account!), external_id });
    send(res, 200, external_id ? { external_id } : {});
  }

  private update(res: ServerResponse, params: URLSearchParams, body: unknown): void {
    const selector: AWSAccount = params.has('access_key_id')
      ? { access_key_id: params.get('access_key_id')! }
      : { account_id: params.get('account_id') ?? undefined, role_name: params.get('role_name') ?? undefined };
    if (!selector.access_key_id && !(selector.account_id && selector.role_name)) {
      return send(res, 400, { errors: ['account_id and role_name, or access_key_id, are required query parameters'] });
    }
    const problem = invalidAccount(body as AWSAccount);
    if (problem) return send(res, 400, { errors: [problem] });
    const key = keyOf(selector);
    const current = this.accounts.get(key);
    if (!current) return send(res, 400, { errors: [`The AWS account ${describe(selector)} does not exist`] });
    const updated: StoredAccount = { ...current, ...structuredClone(body as AWSAccount) };
    this.accounts.delete(key);
    this.accounts.set(keyOf(updated), updated);
    send(res, 200, {});
  }

  private remove(res: ServerResponse, body: unknown): void {
    const request = (body ?? {}) as AWSAccount;
    if (!request.access_key_id && !(request.account_id && request.role_name)) {
      return send(res, 400, { errors: ['account_id and role_name, or access_key_id, are required'] });
    }
    if (!this.accounts.delete(keyOf(request))) {
      return send(res, 400, { errors: [`The AWS account ${describe(request)} does not exist`] });
    }
    send(res, 200, {});
  }

  private rotate(res: ServerResponse, body: unknown): void {
    const request = (body ?? {}) as AWSAccount;
    if (!request.account_id || !request.role_name) {
      return send(res, 400, { errors: ['account_id and role_name are required'] });
    }
    const current = this.accounts.get(keyOf(request));
    if (!current) return send(res, 400, { errors: [`The AWS account ${describe(request)} does not exist`] });
    current.external_id = newExternalId();
    send(res, 200, { external_id: current.external_id });
  }
}

function keyOf(account: AWSAccount): string {
  return account.access_key_id ? `key:${account.access_key_id}` : `role:${account.account_id}:${account.role_name}`;
}

function describe(account: AWSAccount): string {
  return account.access_key_id ? `with access key ${account.access_key_id}` : `${account.account_id} with role ${account.role_name}`;
}

function invalidAccount(account: AWSAccount | undefined): string | undefined {
  if (typeof account !== 'object' || account === null || Array.isArray(account)) return 'The request body must be a JSON object';
  if (!account.account_id && !account.access_key_id) return 'account_id is required';
  if (account.account_id !== undefined && !/^\d{12}$/.test(account.account_id)) return 'account_id must be a 12-digit AWS account ID';
  if (!account.role_name && !account.access_key_id) return 'role_name is required for role delegation';
  return undefined;
}

function newExternalId(): string {
  return randomBytes(16).toString('hex');
}



