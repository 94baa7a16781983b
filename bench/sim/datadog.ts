/**
 * Datadog's AWS integration in memory, behind the product's own port: integrations keyed by
 * account ID + role name, every call costed by a SimulatedService (150 ms, writes at a
 * configured rate).
 * - v1 (the default): the port answered directly as the v1 API does (409 on create when it
 *   exists, 400 "does not exist" on update/delete/rotate of an unknown one, no external IDs in
 *   listings).
 * - v2: the product's own v2 adapter and client (lambda/datadog/v2/) over the v2 API's requests
 *   answered in memory (datadog-v2.ts): external IDs minted before the create and listed back,
 *   a lookup before each update, settings as v2 stores them.
 * Either way the iam_permissions lists are served (permissionLists), as v2 endpoints.
 */

import { V1_CAPABILITIES } from '../../lambda/datadog/capabilities';
import { DatadogApiError, UnsupportedByVersionError, kindOfStatus } from '../../lambda/datadog/errors';
import type { DatadogHttp, DatadogRequest } from '../../lambda/datadog/http';
import type { AwsIntegrationPort, CreateOptions, GivenExternalId, Integration, IntegrationAuth, IntegrationRef, IntegrationSettings, PortCapabilities } from '../../lambda/datadog/port';
import { DatadogV2Integrations } from '../../lambda/datadog/v2/adapter';
import { DatadogAwsV2Client } from '../../lambda/datadog/v2/client';
import { PARTITION_REGIONS, toV2CreateRequest } from '../../lambda/datadog/v2/mapping';
import type { Partition } from '../../lambda/domain/partition';
import type { PermissionLists } from '../../lambda/observe/datadog-permissions';
import { integrationOf, isV2Write, serveV2, type V2Record, type V2Store } from './datadog-v2';
import type { VirtualClock } from './clock';
import { SimulatedService, type ServiceLimits } from './limits';
import { createRandom, type Random } from './random';

export interface SimulatedDatadogOptions extends Partial<Omit<ServiceLimits, 'name'>> {
  /** What listNamespaces answers. */
  namespaces?: readonly string[];
  /** Seeds the external IDs it hands out. */
  seed?: number;
  /** The API the product meets: v1's answers, or v2's through the product's v2 adapter (v1). */
  apiVersion?: 'v1' | 'v2';
  /** The partition v2 integrations are seeded in (aws). */
  partition?: Partition;
}

/** An integration as seeded: an Integration, with the external ID Datadog holds for it. */
export interface SeededIntegration {
  readonly accountId: string;
  readonly auth: IntegrationAuth;
  readonly settings: IntegrationSettings;
  readonly externalId?: string;
}

/** One fault for the next matching call(s): the DatadogApiError it answers with. */
export interface DatadogFault {
  /** Datadog's operation name (CreateAWSAccount, UpdateAWSAccount...); any when absent. */
  readonly operation?: string;
  readonly status: number;
  readonly message?: string;
  readonly times?: number;
}

interface Stored {
  accountId: string;
  auth: IntegrationAuth;
  settings: IntegrationSettings;
  externalId?: string;
  /** v2: the integration as the v2 API holds it (the fields above are what the adapter reads from it). */
  v2?: V2Record;
}

export const DEFAULT_DATADOG_LIMITS = { latencyMs: 150 } as const;

export const SIMULATED_NAMESPACES: readonly string[] = [
  'api_gateway', 'application_elb', 'auto_scaling', 'cloudfront', 'dynamodb', 'ebs', 'ec2', 'ecs',
  'elasticache', 'elb', 'lambda', 'network_elb', 'rds', 's3', 'sns', 'sqs',
];

/** What v2's available_namespaces answers: CloudWatch namespaces. */
export const SIMULATED_V2_NAMESPACES: readonly string[] = SIMULATED_NAMESPACES.map((name) => `AWS/${name.toUpperCase()}`);

const WRITES: ReadonlySet<string> = new Set(['CreateAWSAccount', 'UpdateAWSAccount', 'DeleteAWSAccount', 'CreateNewAWSExternalID']);

function keyOf(accountId: string, auth: IntegrationAuth): string {
  return auth.kind === 'role' ? `role:${accountId}:${auth.roleName}` : `key:${auth.accessKeyId}`;
}

function copySettings(settings: IntegrationSettings): IntegrationSettings {
  return {
    hostTags: [...settings.hostTags],
    filterTags: [...settings.filterTags],
    excludedRegions: [...settings.excludedRegions],
    namespaceRules: { ...settings.namespaceRules },
    metricsCollection: settings.metricsCollection,
    cspmResourceCollection: settings.cspmResourceCollection,
    extendedResourceCollection: settings.extendedResourceCollection,
  };
}

/** Integrations by key, and the keys of each account (a filtered listing does not scan 10,000). */
class IntegrationStore extends Map<string, Stored> {
  private readonly keysOf = new Map<string, Set<string>>();

  override set(key: string, stored: Stored): this {
    // Map's constructor calls set before the index exists.
    if (this.keysOf) {
      const previous = super.get(key);
      if (previous) this.keysOf.get(previous.accountId)?.delete(key);
      let keys = this.keysOf.get(stored.accountId);
      if (!keys) this.keysOf.set(stored.accountId, (keys = new Set()));
      keys.add(key);
    }
    return super.set(key, stored);
  }

  override delete(key: string): boolean {
    const previous = super.get(key);
    if (previous) this.keysOf.get(previous.accountId)?.delete(key);
    return super.delete(key);
  }

  /** The integrations of one account, or all. */
  *of(accountId?: string): Iterable<Stored> {
    if (accountId === undefined) {
      yield* this.values();
      return;
    }
    for (const key of this.keysOf.get(accountId) ?? []) yield super.get(key)!;
  }
}

export class SimulatedDatadog implements AwsIntegrationPort {
  readonly apiVersion: 'v1' | 'v2';
  readonly capabilities: PortCapabilities;
  readonly service: SimulatedService;
  private readonly integrations = new IntegrationStore();
  private readonly namespaces: readonly string[];
  private readonly random: Random;
  private readonly faults: { fault: DatadogFault; remaining: number }[] = [];
  private readonly partition: Partition;
  /** v2: the product's adapter over the simulated API. */
  private readonly v2?: DatadogV2Integrations;
  private readonly v2Client: DatadogAwsV2Client;
  private readonly minted = new Set<string>();
  private configSeq = 0;
  /** v2: config ID -> the integration's key. */
  private readonly keyOfConfig = new Map<string, string>();

  constructor(clock: VirtualClock, options: SimulatedDatadogOptions = {}) {
    const { namespaces, seed, apiVersion, partition, ...limits } = options;
    this.service = new SimulatedService(clock, { name: 'datadog', ...DEFAULT_DATADOG_LIMITS, ...limits } as ServiceLimits);
    this.namespaces = namespaces ?? SIMULATED_NAMESPACES;
    this.random = createRandom(seed ?? 0x0da7ad06);
    this.apiVersion = apiVersion ?? 'v1';
    this.partition = partition ?? 'aws';
    // The product's v2 client, its requests answered here (DatadogHttp's one method is all it uses).
    const http = { request: (request: DatadogRequest) => this.serve(request) } as unknown as DatadogHttp;
    this.v2Client = new DatadogAwsV2Client(http);
    if (this.apiVersion === 'v2') this.v2 = new DatadogV2Integrations(this.v2Client, { partition: this.partition });
    this.capabilities = this.v2?.capabilities ?? V1_CAPABILITIES;
  }

  /** Datadog's iam_permissions lists, read as the product reads them (organization-dependencies.ts). */
  permissionLists(): PermissionLists {
    return { standard: () => this.v2Client.getIamPermissionsStandard(), resourceCollection: () => this.v2Client.getIamPermissionsResourceCollection() };
  }

  // ------------------------------------------------------------------ the port

  /** v1: no external ID without an integration. */
  mintExternalId(): Promise<string> {
    if (this.v2) return this.v2.mintExternalId();
    return Promise.reject(new UnsupportedByVersionError('CreateNewAWSExternalID', 'the simulated v1 API issues external IDs only with an integration'));
  }

  listIntegrations(filter: { accountId?: string } = {}): Promise<Integration[]> {
    if (this.v2) return this.v2.listIntegrations(filter);
    return this.call('ListAWSAccounts', () => {
      const found: Integration[] = [];
      for (const stored of this.integrations.of(filter.accountId)) {
        // v1 never shows the external ID.
        found.push({ accountId: stored.accountId, auth: { ...stored.auth }, settings: copySettings(stored.settings) });
      }
      return found;
    });
  }

  createIntegration(ref: IntegrationRef, settings: IntegrationSettings, options?: CreateOptions): Promise<{ externalId: string }> {
    if (this.v2) return this.v2.createIntegration(ref, settings, options);
    return this.call('CreateAWSAccount', () => {
      const auth: IntegrationAuth = { kind: 'role', roleName: ref.roleName };
      const key = keyOf(ref.accountId, auth);
      if (this.integrations.has(key)) {
        throw this.error('CreateAWSAccount', 409, `The AWS account ${ref.accountId} with role ${ref.roleName} already exists`);
      }
      const externalId = this.newExternalId();
      this.integrations.set(key, { accountId: ref.accountId, auth, settings: copySettings(settings), externalId });
      return { externalId };
    });
  }

  updateIntegration(ref: IntegrationRef, settings: IntegrationSettings): Promise<void> {
    if (this.v2) return this.v2.updateIntegration(ref, settings);
    return this.call('UpdateAWSAccount', () => {
      this.require('UpdateAWSAccount', ref).settings = copySettings(settings);
    });
  }

  deleteIntegration(ref: IntegrationRef): Promise<void> {
    if (this.v2) return this.v2.deleteIntegration(ref);
    return this.call('DeleteAWSAccount', () => {
      this.require('DeleteAWSAccount', ref);
      this.integrations.delete(keyOf(ref.accountId, { kind: 'role', roleName: ref.roleName }));
    });
  }

  rotateExternalId(ref: IntegrationRef, given?: GivenExternalId): Promise<{ externalId: string }> {
    if (this.v2) return this.v2.rotateExternalId(ref, given);
    return this.call('CreateNewAWSExternalID', () => {
      const stored = this.require('CreateNewAWSExternalID', ref);
      stored.externalId = this.newExternalId();
      return { externalId: stored.externalId };
    });
  }

  listNamespaces(): Promise<string[]> {
    if (this.v2) return this.v2.listNamespaces();
    return this.call('ListAvailableAWSNamespaces', () => [...this.namespaces]);
  }

  // ------------------------------------------------------------------ setup and checks (no cost)

  /** Puts an integration in place directly (replacing one with the same key). */
  seed(integration: SeededIntegration): void {
    if (this.v2 && integration.auth.kind === 'role') {
      const ref = { accountId: integration.accountId, roleName: integration.auth.roleName };
      const request = toV2CreateRequest(ref, integration.settings, this.partition, PARTITION_REGIONS[this.partition], integration.externalId);
      this.v2Store.put({ configId: this.newConfigId(), attributes: request.data.attributes });
      return;
    }
    const stored: Stored = { accountId: integration.accountId, auth: { ...integration.auth }, settings: copySettings(integration.settings) };
    if (integration.externalId !== undefined) stored.externalId = integration.externalId;
    this.integrations.set(keyOf(integration.accountId, integration.auth), stored);
  }

  /** Takes an integration away directly; whether it was there. */
  unseed(accountId: string, roleName: string): boolean {
    return this.integrations.delete(keyOf(accountId, { kind: 'role', roleName }));
  }

  /** The external ID Datadog holds for account + role (what v1 never lists). */
  externalIdOf(accountId: string, roleName: string): string | undefined {
    return this.integrations.get(keyOf(accountId, { kind: 'role', roleName }))?.externalId;
  }

  /** Every integration as stored, external IDs included. */
  stored(): SeededIntegration[] {
    return [...this.integrations.values()].map((stored) => ({
      accountId: stored.accountId,
      auth: { ...stored.auth },
      settings: copySettings(stored.settings),
      ...(stored.externalId !== undefined && { externalId: stored.externalId }),
    }));
  }

  get size(): number {
    return this.integrations.size;
  }

  /** The next matching call(s) fail with this status (after their latency, like a real answer). */
  failNext(fault: DatadogFault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  // ------------------------------------------------------------------ private

  /** One v2 request: costed, faults applied, answered from the store. */
  private serve(request: DatadogRequest): Promise<unknown> {
    return this.service.call(
      request.operation,
      () => {
        this.takeFault(request.operation);
        return serveV2(this.v2Store, this.minted, request);
      },
      { write: isV2Write(request) },
    );
  }

  private readonly v2Store: V2Store = {
    records: (accountId) => this.v2Records(accountId),
    get: (configId) => {
      const key = this.keyOfConfig.get(configId);
      return key === undefined ? undefined : this.integrations.get(key)?.v2;
    },
    put: (record) => {
      const integration = integrationOf(record);
      if (!integration) throw new Error(`the simulated v2 API stored an integration it cannot read: ${JSON.stringify(record.attributes)}`);
      const key = keyOf(integration.accountId, integration.auth);
      const stored: Stored = { accountId: integration.accountId, auth: integration.auth, settings: integration.settings, v2: record };
      if (integration.externalId !== undefined) stored.externalId = integration.externalId;
      this.integrations.set(key, stored);
      this.keyOfConfig.set(record.configId, key);
    },
    remove: (configId) => {
      const key = this.keyOfConfig.get(configId);
      this.keyOfConfig.delete(configId);
      return key !== undefined && this.integrations.get(key)?.v2?.configId === configId && this.integrations.delete(key);
    },
    newExternalId: () => this.newExternalId(),
    newConfigId: () => this.newConfigId(),
    namespaces: SIMULATED_V2_NAMESPACES,
  };

  private *v2Records(accountId?: string): Iterable<V2Record> {
    for (const stored of this.integrations.of(accountId)) if (stored.v2) yield stored.v2;
  }

  private newConfigId(): string {
    this.configSeq += 1;
    return `00000000-0000-4000-8000-${this.configSeq.toString(16).padStart(12, '0')}`;
  }

  private call<T>(operation: string, fn: () => T): Promise<T> {
    return this.service.call(
      operation,
      () => {
        this.takeFault(operation);
        return fn();
      },
      { write: WRITES.has(operation) },
    );
  }

  private takeFault(operation: string): void {
    const index = this.faults.findIndex(({ fault }) => fault.operation === undefined || fault.operation === operation);
    const pending = this.faults[index];
    if (!pending) return;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.faults.splice(index, 1);
    throw this.error(operation, pending.fault.status, pending.fault.message ?? `Injected ${pending.fault.status}`);
  }

  private require(operation: string, ref: IntegrationRef): Stored {
    const stored = this.integrations.get(keyOf(ref.accountId, { kind: 'role', roleName: ref.roleName }));
    if (!stored) throw this.error(operation, 400, `The AWS account ${ref.accountId} with role ${ref.roleName} does not exist`);
    return stored;
  }

  private error(operation: string, status: number, message: string): DatadogApiError {
    return new DatadogApiError(operation, kindOfStatus(status), status, [message], `Datadog ${operation} answered ${status}: ${message}`);
  }

  private newExternalId(): string {
    return this.random.hex(32);
  }
}

/**
 * The port as one process of the product holds it for a target with its own keys: every call
 * first resolves the keys (the product's credentialsProvider, which reads its secret once and
 * caches it), as the product's HTTP client does before each request.
 */
export function withCredentials(port: AwsIntegrationPort, credentials: () => Promise<unknown>): AwsIntegrationPort {
  const keyed = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    await credentials();
    return call(...args);
  };
  return {
    apiVersion: port.apiVersion,
    capabilities: port.capabilities,
    listIntegrations: keyed((filter?: { accountId?: string }) => port.listIntegrations(filter)),
    createIntegration: keyed((ref: IntegrationRef, settings: IntegrationSettings, options?: CreateOptions) => port.createIntegration(ref, settings, options)),
    updateIntegration: keyed((ref: IntegrationRef, settings: IntegrationSettings) => port.updateIntegration(ref, settings)),
    deleteIntegration: keyed((ref: IntegrationRef) => port.deleteIntegration(ref)),
    rotateExternalId: keyed((ref: IntegrationRef, given?: GivenExternalId) => port.rotateExternalId(ref, given)),
    mintExternalId: keyed(() => port.mintExternalId()),
    listNamespaces: keyed(() => port.listNamespaces()),
  };
}
