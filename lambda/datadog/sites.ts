import { InputError } from '../domain/errors';

/**
 * Datadog sites and the AWS account that Datadog assumes roles from on each
 * (trust principal arn:<partition>:iam::<id>:root). Source: ../shared/DESIGN.md.
 */
export const DATADOG_SITES = {
  'datadoghq.com': { principal: '464622532012' },
  'us3.datadoghq.com': { principal: '464622532012' },
  'us5.datadoghq.com': { principal: '464622532012' },
  'datadoghq.eu': { principal: '464622532012' },
  'ap1.datadoghq.com': { principal: '417141415827' },
  'ap2.datadoghq.com': { principal: '412381753143' },
  'uk1.datadoghq.com': { principal: '117348461845' },
  'ddog-gov.com': { principal: '392588925713', govCloudPrincipal: '065115117704' },
  'us2.ddog-gov.com': { principal: '382742775718', govCloudPrincipal: '486737091498' },
} as const satisfies Record<string, { principal: string; govCloudPrincipal?: string }>;

export type DatadogSite = keyof typeof DATADOG_SITES;
export const SITE_NAMES = Object.keys(DATADOG_SITES) as DatadogSite[];
export const DEFAULT_SITE: DatadogSite = 'datadoghq.com';

export function isDatadogSite(value: string): value is DatadogSite {
  return Object.prototype.hasOwnProperty.call(DATADOG_SITES, value);
}

export function parseSite(value: string, field = 'Datadog site'): DatadogSite {
  const site = value.trim().toLowerCase();
  if (isDatadogSite(site)) return site;
  throw new InputError(`${field} "${value}" is not a Datadog site; use one of: ${SITE_NAMES.join(', ')}`);
}

export function siteApiBaseUrl(site: DatadogSite): string {
  return `https://api.${site}`;
}
