/** AWS partitions: the type, reading one from an ARN, and the regions each has. */

export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn';

export const PARTITIONS: readonly Partition[] = ['aws', 'aws-us-gov', 'aws-cn'];

/** The partition an ARN names (arn:<partition>:...); 'aws' when the ARN is absent or names none we know. */
export function partitionOfArn(arn: string | undefined): Partition {
  const named = (arn ?? '').split(':')[1];
  return PARTITIONS.find((partition) => partition === named) ?? 'aws';
}

/**
 * Regions per partition, used to turn v1-style exclusions into v2's include_only list (v2 has
 * no "exclude" form) and to check configured region names. A snapshot (2026); a region missing
 * here is treated as unknown: it can not be excluded, and when it is outside include_only it
 * does not show as excluded.
 */
export const PARTITION_REGIONS: Readonly<Record<Partition, readonly string[]>> = {
  aws: [
    'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
    'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
    'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ca-central-1', 'ca-west-1', 'eu-central-1',
    'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3',
    'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1', 'us-east-1', 'us-east-2',
    'us-west-1', 'us-west-2',
  ],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
};
