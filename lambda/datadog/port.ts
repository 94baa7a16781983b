/**
 * The domain's view of Datadog's AWS integration, independent of the API version.
 * An integration is identified by account ID + role name; an external ID is something
 * obtained from it (on create or rotation). The v1 adapter implements this today; a v2
 * adapter implements the same interface, so callers do not change.
 */

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

export interface AwsIntegrationPort {
  readonly apiVersion: 'v1' | 'v2';
  /** Every integration, or only those of one account. */
  listIntegrations(filter?: { accountId?: string }): Promise<Integration[]>;
  /** Creates the integration; throws DatadogApiError kind 'conflict' when it exists. */
  createIntegration(ref: IntegrationRef, settings: IntegrationSettings): Promise<{ externalId: string }>;
  updateIntegration(ref: IntegrationRef, settings: IntegrationSettings): Promise<void>;
  deleteIntegration(ref: IntegrationRef): Promise<void>;
  /** A new external ID; the previous one stops working. */
  rotateExternalId(ref: IntegrationRef): Promise<{ externalId: string }>;
  listNamespaces(): Promise<string[]>;
}
