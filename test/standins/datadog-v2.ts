import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type {
  AWSAccountCreateRequestAttributes,
  AWSAccountResponseAttributes,
  AWSAccountResponseData,
  AWSAuthConfig,
  AWSAuthConfigKeys,
  AWSAuthConfigRole,
} from '../../lambda/datadog/v2/types';
import { DatadogHttpStandin, send, type RoutedRequest } from './datadog-http';

export type { Fault, RecordedRequest } from './datadog-http';

/**
 * A stateful stand-in for Datadog's v2 AWS integration API on loopback: JSON:API bodies,
 * config UUIDs, external IDs minted by generate_new_external_id that expire after 48 hours
 * unless used, auth headers (403 otherwise), 409 on a duplicate account + role, 404 on an
 * unknown UUID, 204 on delete, and fault injection (status / delay / hang / reset).
 */

/** Datadog's v2 document, in ../shared beside the repository (never copied here). */
export const DATADOG_V2_SPEC = resolve(__dirname, '..', '..', '..', 'shared', 'datadog', 'aws-integration-v2.openapi.yaml');

export interface DatadogV2StandinOptions {
  apiKey: string;
  appKey: string;
  namespaces?: string[];
  /** Clock for external-ID expiry; default Date.now. */
  now?: () => number;
  /** Create without an external_id generates one (default true); false leaves it unset. */
  generateExternalIdOnCreate?: boolean;
}

export const V2_STANDIN_NAMESPACES = [
  'AWS/ApiGateway', 'AWS/ApplicationELB', 'AWS/AutoScaling', 'AWS/CloudFront', 'AWS/DynamoDB', 'AWS/EBS',
  'AWS/EC2', 'AWS/ECS', 'AWS/ElastiCache', 'AWS/ElasticMapReduce', 'AWS/Lambda', 'AWS/RDS', 'AWS/S3',
  'AWS/SNS', 'AWS/SQS', 'AWS/Usage',
];

/** Small, realistic lists (actions from Datadog's standard policy and resource collection). */
export const V2_STANDIN_IAM_STANDARD = [
  'apigateway:GET', 'autoscaling:Describe*', 'cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*',
  'ec2:Describe*', 'lambda:List*', 'logs:DescribeLogGroups', 'rds:Describe*', 's3:ListAllMyBuckets', 'tag:GetResources',
];
export const V2_STANDIN_IAM_RESOURCE_COLLECTION = [
  'account:GetContactInformation', 'backup:ListRecoveryPointsByBackupVault', 'ec2:GetSnapshotBlockPublicAccessState',
  'lambda:GetFunction', 'sqs:ListQueues',
];
export const V2_STANDIN_IAM_ALL = [...new Set([...V2_STANDIN_IAM_STANDARD, ...V2_STANDIN_IAM_RESOURCE_COLLECTION])].sort();

/** Datadog's stated validity of a minted, unused external ID. */
export const EXTERNAL_ID_TTL_MS = 48 * 60 * 60 * 1000;

export interface StoredV2Account {
  id: string;
  attributes: AWSAccountResponseAttributes;
}

const PATH = '/api/v2/integration/aws';
const ACCOUNTS = `${PATH}/accounts`;

export class DatadogV2Standin extends DatadogHttpStandin {
  private readonly accounts = new Map<string, StoredV2Account>();
  /** Minted external IDs not yet used, with the time they were minted. */
  private readonly minted = new Map<string, number>();

  /** Settable per test; starts from the option. */
  generateExternalIdOnCreate: boolean;

  constructor(private readonly options: DatadogV2StandinOptions) {
    super(options, 'Datadog v2 stand-in', true);
    this.generateExternalIdOnCreate = options.generateExternalIdOnCreate ?? true;
  }

  /** Stored configs, secrets included (what Datadog knows). */
  stored(): StoredV2Account[] {
    return [...this.accounts.values()].map((a) => structuredClone(a));
  }

  /** Puts a config in place directly; returns its UUID. */
  seed(attributes: AWSAccountResponseAttributes, id: string = randomUUID()): string {
    this.accounts.set(id, { id, attributes: structuredClone(attributes) });
    return id;
  }

  /** External IDs minted and not yet used (for tests). */
  pendingExternalIds(): string[] {
    return [...this.minted.keys()];
  }

  reset(): void {
    this.accounts.clear();
    this.minted.clear();
    this.generateExternalIdOnCreate = this.options.generateExternalIdOnCreate ?? true;
    this.clearRequestsAndFaults();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  protected route({ method, url, body }: RoutedRequest, res: ServerResponse): void {
    const path = url.pathname;
    if (path === ACCOUNTS && method === 'GET') return send(res, 200, { data: this.list(url.searchParams.get('aws_account_id')) });
    if (path === ACCOUNTS && method === 'POST') return this.create(res, body);
    const match = /^\/api\/v2\/integration\/aws\/accounts\/([^/]+)$/.exec(path);
    if (match) {
      const id = decodeURIComponent(match[1]!);
      if (method === 'GET') return this.get(res, id);
      if (method === 'PATCH') return this.update(res, id, body);
      if (method === 'DELETE') return this.remove(res, id);
    }
    const route = `${method} ${path}`;
    switch (route) {
      case `GET ${PATH}/available_namespaces`:
        return send(res, 200, { data: { id: 'namespaces', type: 'namespaces', attributes: { namespaces: this.options.namespaces ?? V2_STANDIN_NAMESPACES } } });
      case `POST ${PATH}/generate_new_external_id`: {
        const externalId = randomBytes(16).toString('hex');
        this.minted.set(externalId, this.now());
        return send(res, 200, { data: { id: 'external_id', type: 'external_id', attributes: { external_id: externalId } } });
      }
      case `GET ${PATH}/iam_permissions`:
        return send(res, 200, permissions(V2_STANDIN_IAM_ALL));
      case `GET ${PATH}/iam_permissions/standard`:
        return send(res, 200, permissions(V2_STANDIN_IAM_STANDARD));
      case `GET ${PATH}/iam_permissions/resource_collection`:
        return send(res, 200, permissions(V2_STANDIN_IAM_RESOURCE_COLLECTION));
      default:
        return send(res, 404, { errors: ['Not found'] });
    }
  }

  private list(accountId: string | null): AWSAccountResponseData[] {
    return [...this.accounts.values()].filter((a) => accountId === null || a.attributes.aws_account_id === accountId).map(visible);
  }

  private get(res: ServerResponse, id: string): void {
    const account = this.accounts.get(id);
    if (!account) return send(res, 404, { errors: [`AWS account config ${id} not found`] });
    send(res, 200, { data: visible(account) });
  }

  private create(res: ServerResponse, body: unknown): void {
    const data = (body as { data?: { type?: unknown; attributes?: AWSAccountCreateRequestAttributes } } | undefined)?.data;
    if (typeof data !== 'object' || data === null || data.type !== 'account' || typeof data.attributes !== 'object') {
      return send(res, 400, { errors: ['data with type "account" and attributes is required'] });
    }
    const attributes = data.attributes;
    const problem = invalidAttributes(attributes, true) ?? this.externalIdProblem(attributes.auth_config);
    if (problem) return send(res, 400, { errors: [problem] });
    const key = keyOf(attributes.aws_account_id, attributes.auth_config);
    if ([...this.accounts.values()].some((a) => keyOf(a.attributes.aws_account_id, a.attributes.auth_config) === key)) {
      return send(res, 409, { errors: [`AWS account ${attributes.aws_account_id} ${describe(attributes.auth_config)} is already integrated`] });
    }
    const now = new Date(this.now()).toISOString();
    const stored: AWSAccountResponseAttributes = { ...structuredClone(attributes), created_at: now, modified_at: now };
    if (isRole(stored.auth_config)) {
      const given = stored.auth_config.external_id;
      if (given) this.minted.delete(given);
      const generated = this.generateExternalIdOnCreate ? randomBytes(16).toString('hex') : undefined;
      const externalId = given || generated;
      stored.auth_config = { role_name: stored.auth_config.role_name, ...(externalId ? { external_id: externalId } : {}) };
    }
    const id = randomUUID();
    this.accounts.set(id, { id, attributes: stored });
    send(res, 200, { data: visible({ id, attributes: stored }) });
  }

  /** PATCH: each attribute sent replaces the stored one; the others stay. */
  private update(res: ServerResponse, id: string, body: unknown): void {
    const account = this.accounts.get(id);
    const data = (body as { data?: { type?: unknown; id?: unknown; attributes?: AWSAccountResponseAttributes } } | undefined)?.data;
    if (typeof data !== 'object' || data === null || data.type !== 'account' || typeof data.attributes !== 'object') {
      return send(res, 400, { errors: ['data with type "account" and attributes is required'] });
    }
    if (data.id !== undefined && data.id !== id) return send(res, 400, { errors: ['data.id does not match the path'] });
    if (!account) return send(res, 404, { errors: [`AWS account config ${id} not found`] });
    const attributes = data.attributes;
    const problem = invalidAttributes(attributes, false) ?? (attributes.auth_config ? this.externalIdProblem(attributes.auth_config, account) : undefined);
    if (problem) return send(res, 400, { errors: [problem] });
    if (attributes.aws_account_id !== account.attributes.aws_account_id) {
      return send(res, 400, { errors: ['aws_account_id cannot be changed'] });
    }
    const merged: AWSAccountResponseAttributes = { ...account.attributes, ...structuredClone(attributes), modified_at: new Date(this.now()).toISOString() };
    if (isRole(merged.auth_config) && !merged.auth_config.external_id && isRole(account.attributes.auth_config)) {
      merged.auth_config = { ...merged.auth_config, external_id: account.attributes.auth_config.external_id };
    }
    if (isRole(attributes.auth_config) && attributes.auth_config.external_id) this.minted.delete(attributes.auth_config.external_id);
    account.attributes = merged;
    send(res, 200, { data: visible(account) });
  }

  private remove(res: ServerResponse, id: string): void {
    if (!this.accounts.delete(id)) return send(res, 404, { errors: [`AWS account config ${id} not found`] });
    res.writeHead(204);
    res.end();
  }

  /** A role external ID sent by a client must be one we minted within 48 hours (or the current one). */
  private externalIdProblem(auth: AWSAuthConfig | undefined, current?: StoredV2Account): string | undefined {
    if (!isRole(auth) || !auth.external_id) return undefined;
    const currentAuth = current?.attributes.auth_config;
    if (isRole(currentAuth) && currentAuth.external_id === auth.external_id) return undefined;
    const mintedAt = this.minted.get(auth.external_id);
    if (mintedAt === undefined) return 'external_id was not generated by generate_new_external_id';
    if (this.now() - mintedAt > EXTERNAL_ID_TTL_MS) {
      this.minted.delete(auth.external_id);
      return 'external_id has expired: it must be used within 48 hours of generation';
    }
    return undefined;
  }
}

function visible(account: StoredV2Account): AWSAccountResponseData {
  const attributes = structuredClone(account.attributes);
  // secret_access_key is writeOnly: never returned.
  if (attributes.auth_config && 'secret_access_key' in attributes.auth_config) delete attributes.auth_config.secret_access_key;
  return { id: account.id, type: 'account', attributes };
}

function isRole(auth: AWSAuthConfig | undefined): auth is AWSAuthConfigRole {
  return typeof auth === 'object' && auth !== null && typeof (auth as AWSAuthConfigRole).role_name === 'string';
}

function keyOf(accountId: string, auth: AWSAuthConfig | undefined): string {
  if (isRole(auth)) return `role:${accountId}:${auth.role_name}`;
  return `key:${accountId}:${(auth as AWSAuthConfigKeys | undefined)?.access_key_id}`;
}

function describe(auth: AWSAuthConfig | undefined): string {
  return isRole(auth) ? `with role ${auth.role_name}` : `with access key ${(auth as AWSAuthConfigKeys | undefined)?.access_key_id}`;
}

function invalidAttributes(a: Partial<AWSAccountCreateRequestAttributes>, create: boolean): string | undefined {
  if (typeof a.aws_account_id !== 'string' || !/^\d{12}$/.test(a.aws_account_id)) return 'aws_account_id must be a 12-digit AWS account ID';
  if (create && !a.aws_partition) return 'aws_partition is required';
  if (a.aws_partition !== undefined && !['aws', 'aws-cn', 'aws-us-gov'].includes(a.aws_partition)) return 'aws_partition is invalid';
  if (create && !a.auth_config) return 'auth_config is required';
  const auth = a.auth_config as Partial<AWSAuthConfigRole & AWSAuthConfigKeys> | undefined;
  if (auth !== undefined && !auth.role_name && !auth.access_key_id) return 'auth_config needs role_name or access_key_id';
  const resources = a.resources_config;
  if (resources?.cloud_security_posture_management_collection && resources.extended_collection === false) {
    return 'cloud_security_posture_management_collection requires extended_collection';
  }
  return undefined;
}

function permissions(list: string[]): unknown {
  return { data: { id: 'permissions', type: 'permissions', attributes: { permissions: list } } };
}



