/**
 * The two-target world the profiles suites share: the top level's Datadog organization
 * (datadoghq.com) and a profile's on ap1.datadoghq.com (another principal, its keys in their own
 * Secrets Manager secret), OUs apac (and apac/teams under it) reporting to ap1 with metrics off,
 * emea staying in the default target with resource collection on, accounts elsewhere tagged
 * region-group=apac reporting to ap1 with the top level's settings, and another AWS
 * organization's integrations seeded in both Datadog organizations.
 */
import { DEFAULT_TARGET, E2EHarness, type HarnessOptions } from './harness';

export type ApiVersion = 'v1' | 'v2';

export const AP1 = 'ap1';
export const AP1_PRINCIPAL = '417141415827';
export const DEFAULT_PRINCIPAL = '464622532012';
export const AP1_SECRET = 'datadog/ap1-keys';
export const AP1_KEYS = { apiKey: 'ap1-api-key-7c6b5a4938271605f4e3d2c1', appKey: 'ap1-app-key-0a9b8c7d6e5f40312233445566778899' };
export const REGION_TAG = 'region-group';
export const TARGET_AP1 = { site: 'ap1.datadoghq.com', principal: AP1_PRINCIPAL, credentialsSecretId: AP1_SECRET, ...AP1_KEYS };

/** Accounts of another AWS organization, integrated in both Datadog organizations: never touched. */
const FOREIGN_ACCOUNT = '999988887777';
const FOREIGN_MARKED_ACCOUNT = '999988886666';
const OTHER_ORGANIZATION_ID = 'o-theirorg987';

export interface TwoTargets {
  readonly h: E2EHarness;
  readonly apac: string;
  readonly apacTeams: string;
  readonly emea: string;
}

/** Starts the harness with the default target on `top` and the asia profile's target on `profile`. */
export async function startTwoTargets([top, profile]: readonly [ApiVersion, ApiVersion], options: Partial<HarnessOptions> = {}): Promise<TwoTargets> {
  const ous = { apac: '', apacTeams: '', emea: '' };
  const h = await E2EHarness.start({
    ...options,
    config: { ...options.config, datadog: { ...options.config?.datadog, apiVersion: top } },
    targets: { [AP1]: { ...TARGET_AP1, ...options.targets?.[AP1] } },
    profiles: (model) => {
      ous.apac = model.createOu('apac');
      ous.apacTeams = model.createOu('teams', ous.apac);
      ous.emea = model.createOu('emea');
      return [
        { name: 'asia', match: { ous: [ous.apac] }, target: AP1, datadog: { apiVersion: profile }, integration: { metricsCollection: false } },
        { name: 'europe', match: { ous: [ous.emea] }, integration: { resourceCollection: true } },
        // Anywhere else, an account tagged for APAC reports to ap1 too (with the top level's settings).
        { name: 'apac-tagged', match: { tags: { [REGION_TAG]: 'apac' } }, target: AP1, datadog: { apiVersion: profile } },
      ];
    },
  });
  for (const target of [DEFAULT_TARGET, AP1]) {
    h.seedOtherOrganization(FOREIGN_ACCOUNT, undefined, target);
    h.seedOtherOrganization(FOREIGN_MARKED_ACCOUNT, `datadog-aws-org-integration:${OTHER_ORGANIZATION_ID}`, target);
  }
  return { h, ...ous };
}
