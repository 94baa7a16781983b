/**
 * Datadog's AWS integration (v1) in memory, behind the product's own port: integrations keyed by
 * account ID + role name, answering as the v1 API does (409 on create when it exists, 400 "does
 * not exist" on update/delete/rotate of an unknown one, no external IDs in listings), every call
 * costed by a SimulatedService (150 ms, writes at a configured rate).
 */

import { V1_CAPABILITIES } from '../../lambda/datadog/capabilities';
import { DatadogApiError, UnsupportedByVersionError, kindOfStatus } from '../../lambda/datadog/errors';
import type { AwsIntegrationPort, Integration, IntegrationAuth, IntegrationRef, IntegrationSettings } from '../../lambda/datadog/port';
import type { VirtualClock } from './clock';
import { SimulatedService, type ServiceLimits } from './limits';
import { createRandom, type Random } from './random';

export interface SimulatedDatadogOptions extends Partial<Omit<ServiceLimits, 'name'>> {
  /** What listNamespaces answers. */
  namespaces?: readonly string[];
  /** Seeds the external IDs it hands out. */
  seed?: number;
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
}

export const DEFAULT_DATADOG_LIMITS = { latencyMs: 150 } as const;

export const SIMULATED_NAMESPACES: readonly string[] = [
  'api_gateway', 'application_elb', 'auto_scaling', 'cloudfront', 'dynamodb', 'ebs', 'ec2', 'ecs',
  'elasticache', 'elb', 'lambda', 'network_elb', 'rds', 's3', 'sns', 'sqs',
];

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

export class SimulatedDatadog implements AwsIntegrationPort {
  readonly apiVersion = 'v1' as const;
  readonly capabilities = V1_CAPABILITIES;
  readonly service: SimulatedService;
  private readonly integrations = new Map<string, Stored>();
  private readonly namespaces: readonly string[];
  private readonly random: Random;
  private readonly faults: { fault: DatadogFault; remaining: number }[] = [];

  constructor(clock: VirtualClock, options: SimulatedDatadogOptions = {}) {
    const { namespaces, seed, ...limits } = options;
    this.service = new SimulatedService(clock, { name: 'datadog', ...DEFAULT_DATADOG_LIMITS, ...limits } as ServiceLimits);
    this.namespaces = namespaces ?? SIMULATED_NAMESPACES;
    this.random = createRandom(seed ?? 0x0da7ad06);
  }

  // ------------------------------------------------------------------ the port

  /** As v1: no external ID without an integration. */
  mintExternalId(): Promise<string> {
    return Promise.reject(new UnsupportedByVersionError('CreateNewAWSExternalID', 'the simulated v1 API issues external IDs only with an integration'));
  }

  listIntegrations(filter: { accountId?: string } = {}): Promise<Integration[]> {
    return this.call('ListAWSAccounts', () => {
      const found: Integration[] = [];
      for (const stored of this.integrations.values()) {
        if (filter.accountId !== undefined && stored.accountId !== filter.accountId) continue;
        // v1 never shows the external ID.
        found.push({ accountId: stored.accountId, auth: { ...stored.auth }, settings: copySettings(stored.settings) });
      }
      return found;
    });
  }

  createIntegration(ref: IntegrationRef, settings: IntegrationSettings): Promise<{ externalId: string }> {
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
    return this.call('UpdateAWSAccount', () => {
      this.require('UpdateAWSAccount', ref).settings = copySettings(settings);
    });
  }

  deleteIntegration(ref: IntegrationRef): Promise<void> {
    return this.call('DeleteAWSAccount', () => {
      this.require('DeleteAWSAccount', ref);
      this.integrations.delete(keyOf(ref.accountId, { kind: 'role', roleName: ref.roleName }));
    });
  }

  rotateExternalId(ref: IntegrationRef): Promise<{ externalId: string }> {
    return this.call('CreateNewAWSExternalID', () => {
      const stored = this.require('CreateNewAWSExternalID', ref);
      stored.externalId = this.newExternalId();
      return { externalId: stored.externalId };
    });
  }

  listNamespaces(): Promise<string[]> {
    return this.call('ListAvailableAWSNamespaces', () => [...this.namespaces]);
  }

  // ------------------------------------------------------------------ setup and checks (no cost)

  /** Puts an integration in place directly (replacing one with the same key). */
  seed(integration: SeededIntegration): void {
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
