import type { Config } from '../config/schema';
import type { Partition } from '../domain/partition';
import type { IntegrationSettings, PortCapabilities } from '../datadog/port';
import { isMarkerTag, ownershipMarker } from '../domain/ownership';
import type { OrgAccount } from '../observe/model';

/** Datadog lowercases tags and turns characters it does not keep into underscores: do it first, so no drift loops. */
export function normalizeTagPart(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_\-.:/]/g, '_');
}

/**
 * The settings of our integration of this account. The host tags always end with our ownership
 * marker (v1 host_tags, v2 account_tags), so no update ever removes it; a tag with the marker's
 * key that is not ours (another deployment's, or an account tag copied over) never goes in.
 */
export function desiredSettings(config: Config, account: OrgAccount, organizationId: string): IntegrationSettings {
  const { integration } = config;
  const markerKey = integration.ownershipTagKey;
  const derived: string[] = [];
  if (integration.accountNameTag !== false && account.name) {
    derived.push(`${integration.accountNameTag}:${normalizeTagPart(account.name)}`);
  }
  for (const key of integration.accountTagsAsHostTags) {
    const value = account.tags[key];
    if (value !== undefined && value !== '') derived.push(`${normalizeTagPart(key)}:${normalizeTagPart(value)}`);
  }
  const marker = ownershipMarker({ markerKey, organizationId });
  return {
    hostTags: [...new Set([...integration.hostTags, ...derived].filter((tag) => !isMarkerTag(tag, markerKey))), marker],
    filterTags: [...integration.filterTags],
    excludedRegions: [...integration.excludedRegions],
    namespaceRules: { ...integration.namespaceRules },
    metricsCollection: integration.metricsCollection,
    cspmResourceCollection: integration.cspm,
    extendedResourceCollection: integration.resourceCollection || integration.cspm,
  };
}

/** The desired settings as the port will read them back once written, for comparison (no drift loops). */
export function expectedSettings(
  capabilities: PortCapabilities,
  config: Config,
  account: OrgAccount,
  partition: Partition,
  organizationId: string,
): IntegrationSettings {
  return capabilities.settingsAsStored(desiredSettings(config, account, organizationId), partition);
}
