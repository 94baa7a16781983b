import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type {
  AWSAccountCreateRequestAttributes,
  AWSAccountResponseAttributes,
  AWSAccountResponseData,
  AWSAuthConfig,
  AWSAuthConfigKeys,
  AWSAuthConfigRole,
  AWSNamespaceFilters,
  AWSRegions,
} from '../../lambda/datadog/v2/types';
import { PARTITION_REGIONS } from '../../lambda/datadog/v2/mapping';
import { DATADOG_STANDARD_PERMISSIONS } from '../../lambda/domain/datadog-permissions';
import { DatadogHttpStandin, send, type RoutedRequest, type StandinError } from './datadog-http';

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

/**
 * The stand-in's namespaces, v1 rule key <-> v2 CloudWatch name, one to one. AWS/Usage has no
 * v1 key: it is v2-only. STANDIN_NAMESPACES (datadog.ts) and V2_STANDIN_NAMESPACES are this
 * table's two columns.
 */
export const NAMESPACE_TABLE: ReadonlyArray<readonly [v1Key: string | undefined, cloudWatch: string]> = [
  ['api_gateway', 'AWS/ApiGateway'], ['application_elb', 'AWS/ApplicationELB'], ['auto_scaling', 'AWS/AutoScaling'],
  ['cloudfront', 'AWS/CloudFront'], ['dynamodb', 'AWS/DynamoDB'], ['ebs', 'AWS/EBS'], ['ec2', 'AWS/EC2'], ['ecs', 'AWS/ECS'],
  ['elasticache', 'AWS/ElastiCache'], ['elasticmapreduce', 'AWS/ElasticMapReduce'], ['elb', 'AWS/ELB'], ['lambda', 'AWS/Lambda'],
  ['network_elb', 'AWS/NetworkELB'], ['rds', 'AWS/RDS'], ['s3', 'AWS/S3'], ['sns', 'AWS/SNS'], ['sqs', 'AWS/SQS'],
  [undefined, 'AWS/Usage'],
];

export const V2_STANDIN_NAMESPACES = NAMESPACE_TABLE.map(([, cloudWatch]) => cloudWatch).sort();

/** Datadog's dated snapshot of its standard list, in ../shared beside the repository (Datadog's data, read, not copied). */
export const DATADOG_STANDARD_SNAPSHOT = resolve(__dirname, '..', '..', '..', 'shared', 'datadog', 'iam-permissions-standard.txt');

/**
 * Datadog's standard list: the snapshot when ../shared is there, else the product's pinned list
 * (test/plan/permissions-snapshot.test.ts proves the two equal), so that a clone works alone.
 */
export const V2_STANDIN_IAM_STANDARD: string[] = existsSync(DATADOG_STANDARD_SNAPSHOT)
  ? readFileSync(DATADOG_STANDARD_SNAPSHOT, 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
  : [...DATADOG_STANDARD_PERMISSIONS];

/**
 * A resource-collection list of Datadog's size (hundreds of read actions, more than IAM's inline
 * budget of 10,240 characters per role): real service prefixes, made-up action names.
 */
export const V2_STANDIN_IAM_RESOURCE_COLLECTION: string[] = [
  'access-analyzer', 'acm', 'airflow', 'amplify', 'apigateway', 'appflow', 'appstream', 'appsync', 'athena', 'backup',
  'batch', 'bedrock', 'cassandra', 'cloudformation', 'cloudfront', 'cloudhsm', 'codeartifact', 'codebuild', 'codecommit',
  'codedeploy', 'codepipeline', 'cognito-idp', 'comprehend', 'config', 'databrew', 'datasync', 'dax', 'detective', 'devicefarm',
  'directconnect', 'dms', 'ds', 'dynamodb', 'ebs', 'ec2', 'ecr', 'ecs', 'eks', 'elasticache', 'elasticbeanstalk',
].flatMap((service) => ['GetResourcePolicy', 'DescribeResourceConfiguration', 'ListResourceTags', 'GetEncryptionSettings', 'ListInventoryItems', 'DescribeAccessSettings', 'GetLoggingConfiguration', 'ListVersionsByResource'].map((action) => `${service}:${action}`))
  .sort();
export const V2_STANDIN_IAM_ALL = [...new Set([...V2_STANDIN_IAM_STANDARD, ...V2_STANDIN_IAM_RESOURCE_COLLECTION])].sort();

/** Datadog's stated validity of a minted, unused external ID. */
export const EXTERNAL_ID_TTL_MS = 48 * 60 * 60 * 1000;

export interface StoredV2Account {
  id: string;
  attributes: AWSAccountResponseAttributes;
}

/** Which regions: in the form of the last client that set them (v1 exclusions or v2 aws_regions). */
export type RegionState = { excluded: string[] } | AWSRegions;

/**
 * Which namespaces, in ONE form: either overrides of Datadog's defaults (name -> collect), or
 * a v2 client's include_only list. Names are CloudWatch names where NAMESPACE_TABLE maps them;
 * a name it does not map stays as its client sent it (a v1 key has no '/', a v2 name has).
 */
export type NamespaceState = { overrides: Record<string, boolean> } | { include_only: string[] };

/**
 * One integration, as the shared store keeps it (see datadog.ts for the rules of both views).
 * `attributes` are v2's, except aws_regions and metrics_config.namespace_filters, which live in
 * `regions` and `namespaces`. aws_account_id is '' for a v1 access-key integration without one.
 */
export interface StoredIntegration {
  id: string;
  /** Which API created it: decides the default that the other view shows for extended collection. */
  origin: 'v1' | 'v2';
  attributes: Omit<AWSAccountResponseAttributes, 'aws_regions'>;
  regions?: RegionState;
  namespaces?: NamespaceState;
  /** v1 fields that v2 has no place for (the deprecated resource_collection_enabled). */
  v1Only: { resource_collection_enabled?: boolean };
}

/** Datadog's namespaces excluded by default, in the order v2 shows them. */
const DEFAULT_EXCLUDED = ['AWS/SQS', 'AWS/ElasticMapReduce', 'AWS/Usage'];

export const isRole = (auth: AWSAuthConfig | undefined): auth is AWSAuthConfigRole =>
  typeof auth === 'object' && auth !== null && typeof (auth as AWSAuthConfigRole).role_name === 'string';

export const isKeys = (auth: AWSAuthConfig | undefined): auth is AWSAuthConfigKeys =>
  typeof auth === 'object' && auth !== null && typeof (auth as AWSAuthConfigKeys).access_key_id === 'string';

/** The identity both APIs refuse twice (409): account + role, or the access key. */
export function integrationKey(accountId: string | undefined, auth: AWSAuthConfig | undefined): string {
  if (isKeys(auth)) return `key:${auth.access_key_id}`;
  return `role:${accountId ?? ''}:${isRole(auth) ? auth.role_name : ''}`;
}

export const newExternalId = (): string => randomBytes(16).toString('hex');

function defaultIamPermissions(): { standard: string[]; resourceCollection: string[] } {
  return { standard: [...V2_STANDIN_IAM_STANDARD], resourceCollection: [...V2_STANDIN_IAM_RESOURCE_COLLECTION] };
}

export interface StoreOptions {
  now?: () => number;
  generateExternalIdOnCreate?: boolean;
}

/** The one store behind both APIs: integrations by config UUID, and minted external IDs. */
export class IntegrationStore {
  readonly integrations = new Map<string, StoredIntegration>();
  /** Minted external IDs not yet used, with the time they were minted. */
  private readonly minted = new Map<string, number>();
  /** v2 create without an external_id generates one (settable per test). */
  generateExternalIdOnCreate: boolean;
  /** What the iam_permissions endpoints serve (settable per test: Datadog changes its lists). */
  iamPermissions: { standard: string[]; resourceCollection: string[] } = defaultIamPermissions();

  constructor(private readonly options: StoreOptions = {}) {
    this.generateExternalIdOnCreate = options.generateExternalIdOnCreate ?? true;
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  clear(): void {
    this.integrations.clear();
    this.minted.clear();
    this.generateExternalIdOnCreate = this.options.generateExternalIdOnCreate ?? true;
    this.iamPermissions = defaultIamPermissions();
  }

  all(): StoredIntegration[] {
    return [...this.integrations.values()];
  }

  find(key: string): StoredIntegration | undefined {
    return this.all().find((i) => integrationKey(i.attributes.aws_account_id, i.attributes.auth_config) === key);
  }

  add(integration: StoredIntegration): StoredIntegration {
    this.integrations.set(integration.id, integration);
    return integration;
  }

  /** Moves it last (v1's update re-keyed the integration, which put it at the end). */
  moveLast(integration: StoredIntegration): void {
    this.integrations.delete(integration.id);
    this.integrations.set(integration.id, integration);
  }

  mint(): string {
    const externalId = newExternalId();
    this.minted.set(externalId, this.now());
    return externalId;
  }

  markUsed(externalId: string): void {
    this.minted.delete(externalId);
  }

  pendingExternalIds(): string[] {
    return [...this.minted.keys()];
  }

  /** A role external ID sent by a client must be one we minted within 48 hours (or the current one). */
  externalIdProblem(auth: AWSAuthConfig | undefined, current?: StoredIntegration): string | undefined {
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

  /** Every integration in v2 form, secrets included (what Datadog knows). */
  v2Stored(): StoredV2Account[] {
    return this.all().flatMap((i) => (i.attributes.aws_account_id ? [{ id: i.id, attributes: v2Attributes(i) }] : []));
  }

  /** Puts a config in place directly, as a v2 client would have created it; returns its UUID. */
  seedV2(attributes: AWSAccountResponseAttributes, id: string = randomUUID()): string {
    this.add(applyV2({ id, origin: 'v2', attributes: { aws_account_id: attributes.aws_account_id }, v1Only: {} }, attributes));
    return id;
  }
}

/** The v2 view of one integration (secrets included; `visible` strips them). */
export function v2Attributes(integration: StoredIntegration): AWSAccountResponseAttributes {
  const attributes: AWSAccountResponseAttributes = structuredClone(integration.attributes);
  const partition = attributes.aws_partition ?? 'aws';
  if (integration.regions) attributes.aws_regions = v2Regions(integration.regions, partition);
  if (integration.namespaces) {
    attributes.metrics_config = { ...attributes.metrics_config, namespace_filters: v2NamespaceFilters(integration.namespaces) };
  }
  if (integration.origin === 'v1' && attributes.resources_config?.extended_collection === undefined) {
    attributes.resources_config = { ...attributes.resources_config, extended_collection: false };
  }
  return attributes;
}

function v2Regions(regions: RegionState, partition: keyof typeof PARTITION_REGIONS): AWSRegions {
  if (!('excluded' in regions)) return structuredClone(regions);
  if (!regions.excluded.length) return { include_all: true };
  return { include_only: PARTITION_REGIONS[partition].filter((r) => !regions.excluded.includes(r)) };
}

/** exclude_only = defaults + overridden false - overridden true; v1-only keys (no '/') are not shown. */
function v2NamespaceFilters(state: NamespaceState): AWSNamespaceFilters {
  if ('include_only' in state) return { include_only: [...state.include_only] };
  const excluded = DEFAULT_EXCLUDED.filter((ns) => state.overrides[ns] !== true);
  for (const [ns, on] of Object.entries(state.overrides)) if (!on && ns.includes('/') && !excluded.includes(ns)) excluded.push(ns);
  return { exclude_only: excluded };
}

/** namespace_filters -> the one form: include_only as is; exclude_only as the overrides it implies. */
function namespaceState(filters: AWSNamespaceFilters | undefined): NamespaceState | undefined {
  if (!filters) return undefined;
  if ('include_only' in filters) return { include_only: [...filters.include_only] };
  const listed = filters.exclude_only;
  const overrides: Record<string, boolean> = {};
  for (const ns of listed) if (!DEFAULT_EXCLUDED.includes(ns)) overrides[ns] = false;
  for (const ns of DEFAULT_EXCLUDED) if (!listed.includes(ns)) overrides[ns] = true;
  return { overrides };
}

/** v2 write: each attribute sent replaces the stored one (aws_regions and namespace_filters in their own fields). */
export function applyV2(integration: StoredIntegration, sent: Partial<AWSAccountResponseAttributes>): StoredIntegration {
  const { aws_regions, metrics_config, ...rest } = structuredClone(sent);
  Object.assign(integration.attributes, rest);
  if (aws_regions !== undefined) integration.regions = aws_regions;
  if (metrics_config !== undefined) {
    const { namespace_filters, ...metrics } = metrics_config;
    integration.attributes.metrics_config = metrics;
    integration.namespaces = namespaceState(namespace_filters);
  }
  return integration;
}

const PATH = '/api/v2/integration/aws';
const ACCOUNTS = `${PATH}/accounts`;

/** v2's routes over a store: JSON:API bodies, config UUIDs, 404 on an unknown UUID, 204 on delete. */
export class V2Routes {
  constructor(
    private readonly store: IntegrationStore,
    /** Answers an error in the stand-in's v2 error shape. */
    private readonly fail: (res: ServerResponse, error: StandinError) => true,
    private readonly namespaces: readonly string[] = V2_STANDIN_NAMESPACES,
  ) {}

  /** Answers a v2 request; false when the path is not one of v2's. */
  handle({ method, url, body }: RoutedRequest, res: ServerResponse): boolean {
    const path = url.pathname;
    if (!path.startsWith(`${PATH}/`)) return false;
    if (path === ACCOUNTS && method === 'GET') return reply(res, 200, { data: this.list(url.searchParams.get('aws_account_id')) });
    if (path === ACCOUNTS && method === 'POST') return this.create(res, body);
    const match = /^\/api\/v2\/integration\/aws\/accounts\/([^/]+)$/.exec(path);
    if (match) {
      const id = decodeURIComponent(match[1]!);
      if (method === 'GET') return this.get(res, id);
      if (method === 'PATCH') return this.update(res, id, body);
      if (method === 'DELETE') return this.remove(res, id);
    }
    switch (`${method} ${path}`) {
      case `GET ${PATH}/available_namespaces`:
        return reply(res, 200, { data: { id: 'namespaces', type: 'namespaces', attributes: { namespaces: this.namespaces } } });
      case `POST ${PATH}/generate_new_external_id`:
        return reply(res, 200, { data: { id: 'external_id', type: 'external_id', attributes: { external_id: this.store.mint() } } });
      case `GET ${PATH}/iam_permissions`: {
        const { standard, resourceCollection } = this.store.iamPermissions;
        return reply(res, 200, permissions([...new Set([...standard, ...resourceCollection])].sort()));
      }
      case `GET ${PATH}/iam_permissions/standard`:
        return reply(res, 200, permissions(this.store.iamPermissions.standard));
      case `GET ${PATH}/iam_permissions/resource_collection`:
        return reply(res, 200, permissions(this.store.iamPermissions.resourceCollection));
      default:
        return false;
    }
  }

  private list(accountId: string | null): AWSAccountResponseData[] {
    return this.store.v2Stored().filter((a) => accountId === null || a.attributes.aws_account_id === accountId).map(visible);
  }

  private known(id: string): StoredIntegration | undefined {
    const integration = this.store.integrations.get(id);
    return integration?.attributes.aws_account_id ? integration : undefined;
  }

  private get(res: ServerResponse, id: string): boolean {
    const integration = this.known(id);
    if (!integration) return this.notFound(res, id);
    return reply(res, 200, { data: visible({ id, attributes: v2Attributes(integration) }) });
  }

  private create(res: ServerResponse, body: unknown): boolean {
    const data = (body as { data?: { type?: unknown; attributes?: AWSAccountCreateRequestAttributes } } | undefined)?.data;
    if (typeof data !== 'object' || data === null || data.type !== 'account' || typeof data.attributes !== 'object') {
      return this.fail(res, { status: 400, title: 'Bad Request', detail: 'data with type "account" and attributes is required' });
    }
    const attributes = data.attributes;
    const problem = invalidAttributes(attributes, true) ?? this.store.externalIdProblem(attributes.auth_config);
    if (problem) return this.fail(res, invalid(problem));
    if (this.store.find(integrationKey(attributes.aws_account_id, attributes.auth_config))) {
      return this.fail(res, { status: 409, title: 'Account already exists', detail: `AWS account ${attributes.aws_account_id} ${describe(attributes.auth_config)} is already integrated` });
    }
    const now = new Date(this.store.now()).toISOString();
    const sent: AWSAccountResponseAttributes = { ...attributes, created_at: now, modified_at: now };
    if (isRole(sent.auth_config)) {
      const given = sent.auth_config.external_id;
      if (given) this.store.markUsed(given);
      const externalId = given || (this.store.generateExternalIdOnCreate ? newExternalId() : undefined);
      sent.auth_config = { role_name: sent.auth_config.role_name, ...(externalId ? { external_id: externalId } : {}) };
    }
    const id = this.store.seedV2(sent);
    return reply(res, 200, { data: visible({ id, attributes: v2Attributes(this.store.integrations.get(id)!) }) });
  }

  /** PATCH: each attribute sent replaces the stored one; the others stay. */
  private update(res: ServerResponse, id: string, body: unknown): boolean {
    const integration = this.known(id);
    const data = (body as { data?: { type?: unknown; id?: unknown; attributes?: AWSAccountResponseAttributes } } | undefined)?.data;
    if (typeof data !== 'object' || data === null || data.type !== 'account' || typeof data.attributes !== 'object') {
      return this.fail(res, { status: 400, title: 'Bad Request', detail: 'data with type "account" and attributes is required' });
    }
    if (data.id !== undefined && data.id !== id) return this.fail(res, { status: 400, title: 'Bad Request', detail: 'data.id does not match the path' });
    if (!integration) return this.notFound(res, id);
    const sent = structuredClone(data.attributes);
    const problem = invalidAttributes(sent, false) ?? (sent.auth_config ? this.store.externalIdProblem(sent.auth_config, integration) : undefined);
    if (problem) return this.fail(res, invalid(problem));
    if (sent.aws_account_id !== integration.attributes.aws_account_id) return this.fail(res, { status: 400, title: 'Bad Request', detail: 'aws_account_id cannot be changed' });
    const before = integration.attributes.auth_config;
    if (isRole(sent.auth_config)) {
      if (sent.auth_config.external_id) this.store.markUsed(sent.auth_config.external_id);
      else if (isRole(before)) sent.auth_config = { ...sent.auth_config, external_id: before.external_id };
    }
    applyV2(integration, { ...sent, modified_at: new Date(this.store.now()).toISOString() });
    return reply(res, 200, { data: visible({ id, attributes: v2Attributes(integration) }) });
  }

  private notFound(res: ServerResponse, id: string): true {
    return this.fail(res, { status: 404, title: 'Not Found', detail: `AWS account config ${id} not found` });
  }

  private remove(res: ServerResponse, id: string): boolean {
    if (!this.known(id)) return this.notFound(res, id);
    this.store.integrations.delete(id);
    res.writeHead(204);
    res.end();
    return true;
  }
}

/**
 * A stateful stand-in for Datadog's v2 AWS integration API alone (DatadogStandin in datadog.ts
 * serves v1 and v2 over the same kind of store).
 */
export class DatadogV2Standin extends DatadogHttpStandin {
  readonly store: IntegrationStore;
  private readonly v2: V2Routes;

  constructor(options: DatadogV2StandinOptions) {
    super(options, 'Datadog v2 stand-in', true);
    this.store = new IntegrationStore(options);
    this.v2 = new V2Routes(this.store, (res, error) => this.fail(res, '/api/v2/', error), options.namespaces);
  }

  /** Settable per test; starts from the option. */
  get generateExternalIdOnCreate(): boolean {
    return this.store.generateExternalIdOnCreate;
  }

  set generateExternalIdOnCreate(value: boolean) {
    this.store.generateExternalIdOnCreate = value;
  }

  /** Stored configs, secrets included (what Datadog knows). */
  stored(): StoredV2Account[] {
    return this.store.v2Stored();
  }

  /** Puts a config in place directly; returns its UUID. */
  seed(attributes: AWSAccountResponseAttributes, id: string = randomUUID()): string {
    return this.store.seedV2(attributes, id);
  }

  /** External IDs minted and not yet used (for tests). */
  pendingExternalIds(): string[] {
    return this.store.pendingExternalIds();
  }

  reset(): void {
    this.store.clear();
    this.clearRequestsAndFaults();
  }

  protected route(request: RoutedRequest, res: ServerResponse): void {
    if (!this.v2.handle(request, res)) this.fail(res, request.url.pathname, { status: 404, title: 'Not Found' });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): true {
  send(res, status, body);
  return true;
}

/** A 400 whose useful part sits in meta, as Datadog's validation errors can. */
function invalid(problem: string): StandinError {
  return { status: 400, title: 'Bad Request', detail: 'Invalid AWS account attributes', meta: { errors: [problem] } };
}

function visible(account: StoredV2Account): AWSAccountResponseData {
  const attributes = structuredClone(account.attributes);
  // secret_access_key is writeOnly: never returned.
  if (attributes.auth_config && 'secret_access_key' in attributes.auth_config) delete attributes.auth_config.secret_access_key;
  return { id: account.id, type: 'account', attributes };
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
