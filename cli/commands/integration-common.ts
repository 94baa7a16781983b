import { InputError } from '../../lambda/domain/errors';
import { describeRules } from '../namespaces';
import type { Output } from '../output';

/** What `integration ...` shares between the v1 and the v2 API: options, table rows, messages. */

export interface SettingsOptions {
  hostTag?: string[];
  filterTag?: string[];
  excludedRegion?: string[];
  namespace?: Record<string, boolean>;
  metrics?: boolean;
  cspm?: boolean;
  resourceCollection?: boolean;
}

export interface RefOptions {
  accountId: string;
  roleName: string;
}

export interface JsonOption {
  json?: boolean;
}

/** --cspm needs extended resource collection: true when --cspm turns it on as well. */
export function cspmTurnsOnResources(options: SettingsOptions): boolean {
  if (options.cspm !== true) return false;
  if (options.resourceCollection === false) {
    throw new InputError('--cspm needs extended resource collection: drop --no-resource-collection');
  }
  return true;
}

/** One integration as a table row, in either version's terms. */
export interface IntegrationRow {
  accountId?: string;
  /** `role NAME` or `key ACCESS_KEY_ID`. */
  auth: string;
  metrics?: boolean;
  resources?: boolean;
  cspm?: boolean;
  hostTags?: readonly string[] | null;
  filterTags?: readonly string[];
  excludedRegions?: readonly string[];
  namespaceRules?: Readonly<Record<string, boolean>>;
}

export const LIST_HEADERS = ['ACCOUNT ID', 'AUTH', 'METRICS', 'RESOURCES', 'CSPM', 'HOST TAGS', 'FILTER TAGS', 'EXCLUDED REGIONS', 'NAMESPACE RULES'];

function onOff(value: boolean | undefined, fallback: boolean): string {
  return (value ?? fallback) ? 'on' : 'off';
}

/** Absent fields show Datadog's v1 defaults (metrics on, the rest off); v2 rows come filled in. */
export function describeRow(row: IntegrationRow): string[] {
  return [
    row.accountId ?? '',
    row.auth,
    onOff(row.metrics, true),
    onOff(row.resources, false),
    onOff(row.cspm, false),
    (row.hostTags ?? []).join(','),
    (row.filterTags ?? []).join(','),
    (row.excludedRegions ?? []).join(','),
    describeRules(row.namespaceRules ?? {}),
  ];
}

export function authLabel(roleName: string | undefined, accessKeyId: string | undefined): string {
  return roleName ? `role ${roleName}` : accessKeyId ? `key ${accessKeyId}` : '';
}

/** The table and its count, or a line saying nothing matched. */
export function printTable(output: Output, rows: string[][], table: (rows: string[][]) => string): void {
  if (rows.length === 0) return output.line('No AWS integrations match.');
  output.line(table(rows));
  output.line(`${rows.length} integration${rows.length === 1 ? '' : 's'}`);
}

const of = (ref: RefOptions) => `account ${ref.accountId} with role ${ref.roleName}`;

export function printCreated(output: Output, ref: RefOptions, externalId: string | undefined): void {
  output.line(`Created the AWS integration for ${of(ref)}.`);
  output.line(`External ID: ${externalId ?? '(none returned)'}`);
  output.line(`Use it as the sts:ExternalId condition in the trust policy of role ${ref.roleName}.`);
}

export function printUpdated(output: Output, ref: RefOptions, fields: string[]): void {
  output.line(`Updated the AWS integration for ${of(ref)}: ${fields.join(', ')}.`);
}

export function printDeleted(output: Output, ref: RefOptions): void {
  output.line(`Deleted the AWS integration for ${of(ref)}.`);
}

export function printRotated(output: Output, ref: RefOptions, externalId: string | undefined): void {
  output.line(`New external ID for ${of(ref)}: ${externalId ?? '(none returned)'}`);
  output.line(`The previous external ID no longer works: put the new one in the sts:ExternalId condition of role ${ref.roleName}'s trust policy.`);
}

export function nothingToUpdate(): InputError {
  return new InputError('nothing to update: give at least one option to change (see --help)');
}
