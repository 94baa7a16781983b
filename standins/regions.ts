import type { V2Partition } from './datadog-wire';

/**
 * The regions of each AWS partition that Datadog collects from, in the order the stand-in lists
 * them: what "all regions" means when it turns v1's excluded_regions into v2's include_only and
 * back. The stand-in's own table (AWS's region names), so that a mistake in the product's copy
 * shows up as a disagreement between the two views instead of being shared.
 */
export const STANDIN_REGIONS: Readonly<Record<V2Partition, readonly string[]>> = {
  aws: [
    ...['af-south-1'],
    ...['ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2'],
    ...[1, 2, 3, 4, 5, 6, 7].map((n) => `ap-southeast-${n}`),
    ...['ca-central-1', 'ca-west-1'],
    ...['eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3'],
    ...['il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1'],
    ...['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
  ],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
};
