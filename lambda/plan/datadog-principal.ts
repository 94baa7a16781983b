import { DATADOG_SITES, type DatadogSite } from '../datadog/sites';
import { InputError } from '../domain/errors';
import type { Partition } from '../domain/partition';
import { accountRootArn } from '../domain/policy';

/** The AWS account Datadog assumes roles from, for this site and the customer's partition. */
export function datadogPrincipalArn(site: DatadogSite, partition: Partition): string {
  const principals: { principal: string; govCloudPrincipal?: string } = DATADOG_SITES[site];
  if (partition === 'aws-us-gov') {
    if (!principals.govCloudPrincipal) {
      throw new InputError(`Datadog site ${site} does not serve AWS GovCloud accounts: use ddog-gov.com or us2.ddog-gov.com (datadog.site)`);
    }
    return accountRootArn(partition, principals.govCloudPrincipal);
  }
  if (partition !== 'aws') throw new InputError(`the ${partition} partition is not supported by Datadog's AWS integration`);
  return accountRootArn(partition, principals.principal);
}
