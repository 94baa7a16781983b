import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { DatadogHttpStandin, send, type RoutedRequest } from './datadog-http';
import {
  IntegrationStore,
  NAMESPACE_TABLE,
  V2Routes,
  integrationKey,
  isKeys,
  isRole,
  newExternalId,
  type StoredIntegration,
} from './datadog-v2';
import type { V1Account as AWSAccount, V2Attributes as AWSAccountResponseAttributes } from './datadog-wire';
import { STANDIN_REGIONS } from './regions';

export type { Fault, RecordedRequest } from './datadog-http';

/**
 * A stateful stand-in for Datadog's AWS integration API on loopback, v1 AND v2 over ONE store
 * (as in Datadog, where both are views of the same integrations of an org). It answers like
 * Datadog (statuses and `errors` bodies), checks the auth headers, and can inject faults:
 * statuses with headers, delays, hangs and resets. stored()/seed() speak v1's form;
 * `store.v2Stored()` / `store.seedV2()` speak v2's (as DatadogV2Standin's stored()/seed()).
 *
 * THE STORE (IntegrationStore in datadog-v2.ts): integrations by config UUID, each kept as
 * v2 attributes (absent stays absent), except two settings held in one neutral form each:
 * - regions: in the form of the last client that set them, { excluded } (v1) or aws_regions (v2);
 * - namespaces: overrides of Datadog's defaults (CloudWatch name -> collect), or a v2 client's
 *   include_only list. Never both, never in two places.
 * plus `origin` (the API that created it) and v1's deprecated resource_collection_enabled.
 *
 * CROSS-VIEW RULES
 * - Identity: v1 create gets a UUID at once (stable: updates never change it) and
 *   aws_partition 'aws'; v2 shows it with auth_config { role_name, external_id } (the ID v1
 *   create answered). A v2-created one shows in v1's list like any other (v1 never lists an
 *   external ID). A v1 access-key integration without account_id is invisible to v2 (v2 needs
 *   aws_account_id). 409 duplicate: the same account + role name (or the same access key ID),
 *   whichever API created the first. Delete through either removes the one integration.
 * - External ID: one per integration. v1 create mints it (role only); v1 PUT
 *   generate_new_external_id replaces it; v2 mint (48-hour TTL, IntegrationStore.mint) + PATCH
 *   auth_config replaces it; v2 create uses the minted one or generates one. Both read it.
 * - host_tags <-> account_tags; absent <-> absent (v2 null shows as absent in v1).
 * - filter_tags <-> the metrics_config.tag_filters entry of AWS/EC2: a v1 write replaces the
 *   AWS/EC2 entries (other namespaces' entries stay); v1 reads the AWS/EC2 tags (null -> []),
 *   absent when there is no AWS/EC2 entry.
 * - excluded_regions <-> aws_regions: v2 reads v1's [] as { include_all: true }, else
 *   include_only = STANDIN_REGIONS[partition] (regions.ts) minus the excluded (order of that list; an
 *   unknown region drops out); v1 reads include_all as [], include_only as the known regions
 *   not included. Each view reads its own writes back exactly.
 * - metrics_collection_enabled <-> metrics_config.enabled; cspm_resource_collection_enabled <->
 *   resources_config.cloud_security_posture_management_collection; both absent <-> absent
 *   (same defaults on both sides: true, false).
 * - extended_resource_collection_enabled <-> resources_config.extended_collection. The defaults
 *   differ (v1 false, v2 true), so where it is absent the other view shows the origin's
 *   default: v2 reads a v1-created one as false, v1 reads a v2-created one as true.
 * - Namespaces (NAMESPACE_TABLE maps v1 keys <-> CloudWatch names; AWS/Usage is v2-only).
 *   A v1 PUT/POST with rules replaces the state with those rules as overrides, kept as sent
 *   (an override equal to the default stays). A v2 write of exclude_only replaces it with the
 *   overrides it implies (listed non-defaults -> false, unlisted defaults -> true); of
 *   include_only, with that list; metrics_config without namespace_filters clears it.
 *   v1 reads overrides by v1 key (no '/' in a key: a v1 key the table lacks, shown as is; a
 *   CloudWatch name without a v1 key, e.g. AWS/Usage, is not shown), and an include_only list
 *   as { key: true } for each mapped namespace included, { key: false } for each one not.
 *   v2 reads overrides as exclude_only = the defaults (AWS/SQS, AWS/ElasticMapReduce,
 *   AWS/Usage) not overridden true, then the names overridden false (v1-only keys left out);
 *   never set -> namespace_filters absent (Datadog's default) in both views.
 * - Writes: v1 PUT replaces the fields it sends; v2 PATCH replaces each attribute it sends
 *   (metrics_config and resources_config whole). What only v2 has (logs_config, traces_config,
 *   automute, tag filters of other namespaces...) survives v1 writes.
 */

export interface DatadogStandinOptions {
  apiKey: string;
  appKey: string;
  namespaces?: string[];
  /** v2's available namespaces; default V2_STANDIN_NAMESPACES. */
  v2Namespaces?: string[];
  /** Clock for v2 external-ID expiry; default Date.now. */
  now?: () => number;
  /** v2 create without an external_id generates one (default true). */
  generateExternalIdOnCreate?: boolean;
}

export const STANDIN_NAMESPACES = NAMESPACE_TABLE.flatMap(([v1Key]) => (v1Key ? [v1Key] : [])).sort();

const toCloudWatch = new Map(NAMESPACE_TABLE.flatMap(([v1Key, cloudWatch]) => (v1Key ? [[v1Key, cloudWatch] as const] : [])));
const toV1Key = new Map([...toCloudWatch].map(([v1Key, cloudWatch]) => [cloudWatch, v1Key]));

interface StoredAccount extends AWSAccount {
  external_id?: string;
}

const PATH = '/api/v1/integration/aws';

export class DatadogStandin extends DatadogHttpStandin {
  /** The one store; its v2Stored()/seedV2()/pendingExternalIds() give v2's form. */
  readonly store: IntegrationStore;
  private readonly v2: V2Routes;

  constructor(private readonly options: DatadogStandinOptions) {
    super(options, 'Datadog stand-in');
    this.store = new IntegrationStore(options);
    this.v2 = new V2Routes(this.store, (res, error) => this.fail(res, '/api/v2/', error), options.v2Namespaces);
  }

  /** Integrations as stored, in v1 form, external IDs included (what Datadog knows, not what it lists). */
  stored(): StoredAccount[] {
    return this.store.all().map(v1Account);
  }

  /** Puts an integration in place directly, as a v1 client would have created it. */
  seed(account: StoredAccount): void {
    const { external_id, ...fields } = structuredClone(account);
    // Replacing one in place keeps its UUID and its position (as v1's map did).
    const integration = this.store.add(newIntegration(fields, this.store.find(keyOf(account))?.id));
    if (external_id !== undefined && isRole(integration.attributes.auth_config)) integration.attributes.auth_config.external_id = external_id;
  }

  reset(): void {
    this.store.clear();
    this.clearRequestsAndFaults();
  }

  protected route(request: RoutedRequest, res: ServerResponse): void {
    const { method, url, body } = request;
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
        if (!this.v2.handle(request, res)) this.fail(res, url.pathname, { status: 404, title: 'Not Found' });
    }
  }

  private list(params: URLSearchParams): AWSAccount[] {
    const filters = ['account_id', 'role_name', 'access_key_id'] as const;
    return this.stored()
      .filter((a) => filters.every((f) => !params.has(f) || a[f] === params.get(f)))
      .map(({ external_id: _hidden, secret_access_key: _secret, ...visible }) => visible);
  }

  private create(res: ServerResponse, body: unknown): void {
    const account = body as AWSAccount | undefined;
    const problem = invalidAccount(account);
    if (problem) return send(res, 400, { errors: [problem] });
    if (this.store.find(keyOf(account!))) {
      return send(res, 409, { errors: [`The AWS account ${account!.account_id} with role ${account!.role_name} already exists`] });
    }
    const integration = this.store.add(newIntegration(structuredClone(account!)));
    const now = new Date(this.store.now()).toISOString();
    Object.assign(integration.attributes, { created_at: now, modified_at: now });
    const auth = integration.attributes.auth_config;
    if (!isRole(auth)) return send(res, 200, {});
    auth.external_id = newExternalId();
    send(res, 200, { external_id: auth.external_id });
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
    const current = this.store.find(keyOf(selector));
    if (!current) return send(res, 400, { errors: [`The AWS account ${describe(selector)} does not exist`] });
    applyV1(current, structuredClone(body as AWSAccount));
    current.attributes.modified_at = new Date(this.store.now()).toISOString();
    this.store.moveLast(current);
    send(res, 200, {});
  }

  private remove(res: ServerResponse, body: unknown): void {
    const request = (body ?? {}) as AWSAccount;
    if (!request.access_key_id && !(request.account_id && request.role_name)) {
      return send(res, 400, { errors: ['account_id and role_name, or access_key_id, are required'] });
    }
    const current = this.store.find(keyOf(request));
    if (!current) return send(res, 400, { errors: [`The AWS account ${describe(request)} does not exist`] });
    this.store.integrations.delete(current.id);
    send(res, 200, {});
  }

  private rotate(res: ServerResponse, body: unknown): void {
    const request = (body ?? {}) as AWSAccount;
    if (!request.account_id || !request.role_name) {
      return send(res, 400, { errors: ['account_id and role_name are required'] });
    }
    const auth = this.store.find(keyOf(request))?.attributes.auth_config;
    if (!isRole(auth)) return send(res, 400, { errors: [`The AWS account ${describe(request)} does not exist`] });
    auth.external_id = newExternalId();
    send(res, 200, { external_id: auth.external_id });
  }
}

/** A v1-created integration (no external ID yet), with a config UUID of its own. */
function newIntegration(account: AWSAccount, id: string = randomUUID()): StoredIntegration {
  return applyV1({ id, origin: 'v1', attributes: { aws_account_id: '', aws_partition: 'aws' }, v1Only: {} }, account);
}

/** v1 write: each field sent replaces the stored one, in the store's form. */
function applyV1(integration: StoredIntegration, account: AWSAccount): StoredIntegration {
  const a = integration.attributes;
  if (account.account_id !== undefined) a.aws_account_id = account.account_id;
  const before = a.auth_config;
  if (account.access_key_id !== undefined) {
    const secret = account.secret_access_key ?? (isKeys(before) ? before.secret_access_key : undefined);
    a.auth_config = { access_key_id: account.access_key_id, ...(secret !== undefined && { secret_access_key: secret }) };
  } else if (account.role_name !== undefined) {
    a.auth_config = { role_name: account.role_name, ...(isRole(before) && before.external_id !== undefined && { external_id: before.external_id }) };
  } else if (account.secret_access_key !== undefined && isKeys(before)) {
    before.secret_access_key = account.secret_access_key;
  }
  if (account.host_tags !== undefined) a.account_tags = account.host_tags;
  if (account.filter_tags !== undefined) {
    const others = (a.metrics_config?.tag_filters ?? []).filter((f) => f.namespace !== 'AWS/EC2');
    a.metrics_config = { ...a.metrics_config, tag_filters: [...others, { namespace: 'AWS/EC2', tags: account.filter_tags }] };
  }
  if (account.metrics_collection_enabled !== undefined) a.metrics_config = { ...a.metrics_config, enabled: account.metrics_collection_enabled };
  if (account.cspm_resource_collection_enabled !== undefined) {
    a.resources_config = { ...a.resources_config, cloud_security_posture_management_collection: account.cspm_resource_collection_enabled };
  }
  if (account.extended_resource_collection_enabled !== undefined) {
    a.resources_config = { ...a.resources_config, extended_collection: account.extended_resource_collection_enabled };
  }
  if (account.excluded_regions !== undefined) integration.regions = { excluded: account.excluded_regions };
  const rules = account.account_specific_namespace_rules;
  if (rules !== undefined) {
    integration.namespaces = { overrides: Object.fromEntries(Object.entries(rules).map(([key, on]) => [toCloudWatch.get(key) ?? key, on])) };
  }
  if (account.resource_collection_enabled !== undefined) integration.v1Only.resource_collection_enabled = account.resource_collection_enabled;
  return integration;
}

/** The v1 view of one integration, external ID and secret included (list strips them). */
function v1Account(integration: StoredIntegration): StoredAccount {
  const a: AWSAccountResponseAttributes = integration.attributes;
  const auth = a.auth_config;
  const account: StoredAccount = {};
  if (a.aws_account_id) account.account_id = a.aws_account_id;
  if (isRole(auth)) Object.assign(account, { role_name: auth.role_name, external_id: auth.external_id });
  if (isKeys(auth)) Object.assign(account, { access_key_id: auth.access_key_id }, auth.secret_access_key !== undefined && { secret_access_key: auth.secret_access_key });
  if (a.account_tags) account.host_tags = [...a.account_tags];
  const ec2 = a.metrics_config?.tag_filters?.filter((f) => f.namespace === 'AWS/EC2');
  if (ec2?.length) account.filter_tags = ec2.flatMap((f) => f.tags ?? []);
  if (integration.regions) account.excluded_regions = v1Excluded(integration);
  if (integration.namespaces) account.account_specific_namespace_rules = v1Rules(integration.namespaces);
  if (a.metrics_config?.enabled !== undefined) account.metrics_collection_enabled = a.metrics_config.enabled;
  const resources = a.resources_config;
  if (resources?.cloud_security_posture_management_collection !== undefined) {
    account.cspm_resource_collection_enabled = resources.cloud_security_posture_management_collection;
  }
  const extended = resources?.extended_collection ?? (integration.origin === 'v2' ? true : undefined);
  if (extended !== undefined) account.extended_resource_collection_enabled = extended;
  return { ...account, ...integration.v1Only };
}

function v1Excluded({ regions, attributes }: StoredIntegration): string[] {
  if (!regions || 'excluded' in regions) return [...(regions?.excluded ?? [])];
  if (!('include_only' in regions)) return [];
  return STANDIN_REGIONS[attributes.aws_partition ?? 'aws'].filter((r) => !regions.include_only.includes(r));
}

function v1Rules(state: NonNullable<StoredIntegration['namespaces']>): Record<string, boolean> {
  if ('include_only' in state) return Object.fromEntries([...toCloudWatch].map(([key, cloudWatch]) => [key, state.include_only.includes(cloudWatch)]));
  return Object.fromEntries(Object.entries(state.overrides).flatMap(([ns, on]) => {
    const key = toV1Key.get(ns) ?? (ns.includes('/') ? undefined : ns);
    return key ? [[key, on]] : [];
  }));
}

function keyOf(account: AWSAccount): string {
  return integrationKey(account.account_id, account.access_key_id ? { access_key_id: account.access_key_id } : { role_name: account.role_name ?? '' });
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
