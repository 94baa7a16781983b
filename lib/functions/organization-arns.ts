import { Aws } from 'aws-cdk-lib';

/** Organizations ARNs name the management account (this stack's) and the organization ID, unknown at synth. */
export const ORGANIZATION_ACCOUNTS_ARN = `arn:${Aws.PARTITION}:organizations::${Aws.ACCOUNT_ID}:account/o-*/*`;
export const ORGANIZATION_OUS_ARN = `arn:${Aws.PARTITION}:organizations::${Aws.ACCOUNT_ID}:ou/o-*/ou-*`;

/** cdk-nag's finding for a grant on every account of the organization, and why it is needed. */
export const ORGANIZATION_ACCOUNTS_FINDING = {
  id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::<AWS::AccountId>:account/o-*/*]',
  reason: 'Organizations reads (DescribeAccount, ListParents, ListTagsForResource) on any account of the organization: the organization ID and account are the only parts left open.',
};
