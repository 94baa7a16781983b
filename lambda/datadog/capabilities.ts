import { PARTITION_REGIONS, type Partition } from '../domain/partition';
import type { PortCapabilities } from './port';
import { settingsAsV2Reads } from './v2/mapping';

/** What each API version can do (datadog/port.ts), stated once. */

/** v1: the external ID is told on create and rotation only, and settings read back as written. */
export const V1_CAPABILITIES: PortCapabilities = {
  readsExternalIdBack: false,
  mintsExternalIdBeforeCreate: false,
  settingsAsStored: (settings) => settings,
};

/** v2 over a region universe per partition (the adapter's, so the comparison uses the regions the writes used). */
export function v2Capabilities(regionsOf: (partition: Partition) => readonly string[] = (partition) => PARTITION_REGIONS[partition]): PortCapabilities {
  return {
    readsExternalIdBack: true,
    mintsExternalIdBeforeCreate: true,
    settingsAsStored: (settings, partition) => settingsAsV2Reads(settings, regionsOf(partition)),
  };
}

/** The capabilities of an API version where no port is at hand (the CLI's `plan`, tests). */
export function capabilitiesOf(apiVersion: 'v1' | 'v2'): PortCapabilities {
  return apiVersion === 'v2' ? v2Capabilities() : V1_CAPABILITIES;
}
