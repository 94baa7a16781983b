import type { Partition } from '../../lambda/domain/partition';
import type { RefOptions, SettingsOptions } from './integration-common';

/**
 * What `integration ...` needs of one Datadog API version, one method per subcommand. Each
 * answers Datadog's response body as it came (for --json) and what the text output shows; the
 * command itself (integration.ts) is the same for every version.
 */
export interface IntegrationApi {
  /** The list body (filtered by role name where the API cannot filter), and the table. */
  list(filter: { accountId?: string; roleName?: string }): Promise<{ body: unknown; headers: readonly string[]; rows: string[][] }>;
  create(ref: RefOptions, settings: SettingsOptions, partition: Partition): Promise<{ body: unknown; externalId?: string }>;
  /** Only the settings given change; throws nothingToUpdate() before any call when none is. */
  update(ref: RefOptions, settings: SettingsOptions): Promise<{ body: unknown; fields: string[] }>;
  delete(ref: RefOptions): Promise<{ body: unknown }>;
  namespaces(): Promise<{ body: unknown; names: readonly string[] }>;
  rotateExternalId(ref: RefOptions): Promise<{ body: unknown; externalId?: string }>;
}
