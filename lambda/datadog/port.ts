/**
 * The domain's view of Datadog's AWS integration, independent of the API version.
 * An integration is identified by account ID + role name; an external ID is something
 * obtained from it (on create or rotation). The v1 and v2 adapters implement it, so callers
 * do not change with the version.
 */

import type { Partition } from '../domain/partition';

export interface IntegrationRef {
  readonly accountId: string;
  readonly roleName: string;
}

/** What an integration collects: the fields we own and reconcile. */
export interface IntegrationSettings {
  readonly hostTags: readonly string[];
  readonly filterTags: readonly string[];
  readonly excludedRegions: readonly string[];
  /** Explicit per-namespace overrides, e.g. { auto_scaling: false }. */
  readonly namespaceRules: Readonly<Record<string, boolean>>;
  readonly metricsCollection: boolean;
  readonly cspmResourceCollection: boolean;
  readonly extendedResourceCollection: boolean;
}

export type IntegrationAuth =
  | { readonly kind: 'role'; readonly roleName: string }
  | { readonly kind: 'access-key'; readonly accessKeyId: string };

export interface Integration {
  readonly accountId: string;
  readonly auth: IntegrationAuth;
  readonly settings: IntegrationSettings;
  /** Known only where the API returns it (v2); v1 never does. */
  readonly externalId?: string;
}

/** An external ID to use instead of a new one Datadog would make (v2 only: v1 issues its own). */
export interface GivenExternalId {
  readonly externalId?: string;
}

export interface CreateOptions extends GivenExternalId {
  /** The account's AWS partition (v2 records it; v1 has no such field). */
  readonly partition?: Partition;
}

/**
 * What an API version can do, so that the planner, the executor and the CLI decide by what
 * the port states, never by the version's name. Pure: no call is made.
 */
export interface PortCapabilities {
  /** Reading an integration tells its external ID (v2); otherwise it is told only on create and rotation (v1). */
  readonly readsExternalIdBack: boolean;
  /**
   * An external ID can be had before the integration exists (v2): the role is written first,
   * trusting it, so Datadog never meets a missing role. Otherwise the create issues it (v1).
   */
  readonly mintsExternalIdBeforeCreate: boolean;
  /**
   * The settings as this version reads them back once written, to compare with what is read
   * (v2: namespace rules as one list, excluded regions as the known ones outside include_only).
   */
  settingsAsStored(settings: IntegrationSettings, partition: Partition): IntegrationSettings;
}

export interface AwsIntegrationPort {
  /** For messages only: callers decide by `capabilities`. */
  readonly apiVersion: 'v1' | 'v2';
  readonly capabilities: PortCapabilities;
  /** Every integration, or only those of one account. */
  listIntegrations(filter?: { accountId?: string }): Promise<Integration[]>;
  /**
   * Creates the integration, with the given external ID (v2: one from mintExternalId) or one
   * Datadog makes. Throws DatadogApiError kind 'conflict' when it exists.
   */
  createIntegration(ref: IntegrationRef, settings: IntegrationSettings, options?: CreateOptions): Promise<{ externalId: string }>;
  updateIntegration(ref: IntegrationRef, settings: IntegrationSettings): Promise<void>;
  deleteIntegration(ref: IntegrationRef): Promise<void>;
  /** A new external ID (or the given one, v2); the previous one stops working. */
  rotateExternalId(ref: IntegrationRef, given?: GivenExternalId): Promise<{ externalId: string }>;
  /**
   * An external ID tied to no integration yet (v2: valid 48 hours). Only where
   * capabilities.mintsExternalIdBeforeCreate; elsewhere it throws.
   */
  mintExternalId(): Promise<string>;
  listNamespaces(): Promise<string[]>;
}
