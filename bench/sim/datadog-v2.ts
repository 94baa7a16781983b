/**
 * Datadog's v2 AWS integration API as the product's HTTP client meets it (DatadogHttp.request:
 * operation, method, path, query, body), in memory: the product's own v2 client and adapter
 * (lambda/datadog/v2/) run on top, so a v2 update costs its lookup, a rotation its mint and
 * PATCH, as against Datadog. Integrations are stored as v2 attributes; a PATCH replaces the
 * top-level attributes it names (the adapter sends sub-objects whole). Also serves the
 * iam_permissions lists (the product reads them from v2 whatever the API version).
 */

import { DatadogApiError, kindOfStatus } from '../../lambda/datadog/errors';
import type { DatadogRequest } from '../../lambda/datadog/http';
import { fromV2Account, PARTITION_REGIONS } from '../../lambda/datadog/v2/mapping';
import type { AWSAccountCreateRequest, AWSAccountResponseAttributes, AWSAccountResponseData, AWSAccountUpdateRequest } from '../../lambda/datadog/v2/types';
import { isRoleAuth } from '../../lambda/datadog/v2/types';
import { DATADOG_STANDARD_PERMISSIONS } from '../../lambda/domain/datadog-permissions';

/** One stored v2 integration: its config ID and attributes (external ID included). */
export interface V2Record {
  readonly configId: string;
  attributes: AWSAccountResponseAttributes;
}

/** What the routes need from the simulated Datadog that holds the records. */
export interface V2Store {
  /** Every record, or those of one AWS account. */
  records(accountId?: string): Iterable<V2Record>;
  get(configId: string): V2Record | undefined;
  /** Stores (or replaces) the record of account + role. */
  put(record: V2Record): void;
  remove(configId: string): boolean;
  newExternalId(): string;
  newConfigId(): string;
  readonly namespaces: readonly string[];
}

const PATH = '/api/v2/integration/aws';

const error = (operation: string, status: number, message: string) =>
  new DatadogApiError(operation, kindOfStatus(status), status, [message], `${operation} failed: Datadog answered ${status}: ${message}`);

const data = (record: V2Record): AWSAccountResponseData => ({ id: record.configId, type: 'account', attributes: structuredClone(record.attributes) });

const roleOf = (attributes: AWSAccountResponseAttributes | undefined) => (isRoleAuth(attributes?.auth_config) ? attributes.auth_config.role_name : undefined);

/** The port-level view of a record (what the v2 adapter would read from it). */
export function integrationOf(record: V2Record): ReturnType<typeof fromV2Account> {
  return fromV2Account(data(record), PARTITION_REGIONS[record.attributes.aws_partition ?? 'aws']);
}

/** Answers one request as Datadog's v2 API would (the body, or a DatadogApiError as the client throws it). */
export function serveV2(store: V2Store, minted: Set<string>, request: DatadogRequest): unknown {
  const { operation, method, path } = request;
  const accountPath = /^\/api\/v2\/integration\/aws\/accounts\/([^/]+)$/.exec(path);

  if (method === 'GET' && path === `${PATH}/accounts`) {
    const accountId = request.query?.aws_account_id;
    const found: AWSAccountResponseData[] = [];
    for (const record of store.records(accountId)) found.push(data(record));
    return { data: found };
  }
  if (method === 'POST' && path === `${PATH}/accounts`) {
    const attributes = structuredClone((request.body as AWSAccountCreateRequest).data.attributes) as AWSAccountResponseAttributes;
    const roleName = roleOf(attributes);
    let exists = false;
    for (const r of store.records(attributes.aws_account_id)) if (roleOf(r.attributes) === roleName) exists = true;
    if (exists) throw error(operation, 409, `The AWS account ${attributes.aws_account_id} with role ${roleName} already exists`);
    const given = isRoleAuth(attributes.auth_config) ? attributes.auth_config.external_id : undefined;
    if (given !== undefined && !minted.delete(given)) throw error(operation, 400, 'external_id was not generated, or is used already');
    if (isRoleAuth(attributes.auth_config)) attributes.auth_config = { ...attributes.auth_config, external_id: given ?? store.newExternalId() };
    const record = { configId: store.newConfigId(), attributes };
    store.put(record);
    return { data: data(record) };
  }
  if (method === 'PATCH' && accountPath) {
    const record = store.get(decodeURIComponent(accountPath[1]!));
    if (!record) throw error(operation, 404, 'AWS account config not found');
    const patch = (request.body as AWSAccountUpdateRequest).data.attributes as Partial<AWSAccountResponseAttributes>;
    const given = isRoleAuth(patch.auth_config) ? patch.auth_config.external_id : undefined;
    if (given !== undefined && given !== externalIdOf(record) && !minted.delete(given)) throw error(operation, 400, 'external_id was not generated, or is used already');
    record.attributes = { ...record.attributes, ...structuredClone(patch) };
    store.put(record);
    return { data: data(record) };
  }
  if (method === 'DELETE' && accountPath) {
    if (!store.remove(decodeURIComponent(accountPath[1]!))) throw error(operation, 404, 'AWS account config not found');
    return {};
  }
  if (method === 'POST' && path === `${PATH}/generate_new_external_id`) {
    const externalId = store.newExternalId();
    minted.add(externalId);
    return { data: { id: 'external_id', type: 'external_id', attributes: { external_id: externalId } } };
  }
  if (method === 'GET' && path === `${PATH}/available_namespaces`) {
    return { data: { id: 'namespaces', type: 'namespaces', attributes: { namespaces: [...store.namespaces] } } };
  }
  if (method === 'GET' && path === `${PATH}/iam_permissions/standard`) return permissions(DATADOG_STANDARD_PERMISSIONS);
  if (method === 'GET' && path === `${PATH}/iam_permissions/resource_collection`) return permissions(SIMULATED_RESOURCE_COLLECTION_PERMISSIONS);
  throw error(operation, 404, `the simulated v2 API does not serve ${method} ${path}`);
}

function externalIdOf(record: V2Record): string | undefined {
  return isRoleAuth(record.attributes.auth_config) ? record.attributes.auth_config.external_id : undefined;
}

/**
 * What the simulated resource_collection list answers: a stand-in of two read actions (assumed;
 * the product pins none). The bench's configuration collects no resources, so only its shape matters.
 */
export const SIMULATED_RESOURCE_COLLECTION_PERMISSIONS: readonly string[] = ['backup:ListBackupVaults', 'cloudtrail:GetTrail'];

const permissions = (list: readonly string[]) => ({ data: { id: 'permissions', type: 'permissions', attributes: { permissions: [...list] } } });

/** Datadog's v2 API writes: every method but GET. */
export const isV2Write = (request: DatadogRequest): boolean => request.method !== 'GET';
