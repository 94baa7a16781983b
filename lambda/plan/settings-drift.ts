import type { IntegrationSettings } from '../datadog/port';

/** How our integration's settings differ from the desired ones, field by field (Datadog's names). */

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const left = new Set(a.map((x) => x.toLowerCase()));
  const right = new Set(b.map((x) => x.toLowerCase()));
  return left.size === right.size && [...left].every((x) => right.has(x));
};

export const sameRules = (a: Readonly<Record<string, boolean>>, b: Readonly<Record<string, boolean>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** The settings fields (Datadog's names) that differ. */
export function settingsDrift(actual: IntegrationSettings, desired: IntegrationSettings): string[] {
  const drift: string[] = [];
  if (!sameSet(actual.hostTags, desired.hostTags)) drift.push('host_tags');
  if (!sameSet(actual.filterTags, desired.filterTags)) drift.push('filter_tags');
  if (!sameSet(actual.excludedRegions, desired.excludedRegions)) drift.push('excluded_regions');
  if (!sameRules(actual.namespaceRules, desired.namespaceRules)) drift.push('account_specific_namespace_rules');
  if (actual.metricsCollection !== desired.metricsCollection) drift.push('metrics_collection_enabled');
  if (actual.cspmResourceCollection !== desired.cspmResourceCollection) drift.push('cspm_resource_collection_enabled');
  if (actual.extendedResourceCollection !== desired.extendedResourceCollection) drift.push('extended_resource_collection_enabled');
  return drift;
}
