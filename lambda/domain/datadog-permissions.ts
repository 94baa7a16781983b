/** The IAM permission lists Datadog's role needs: their type and the pinned list (observe/datadog-permissions.ts reads Datadog's current one). */

export interface DatadogPermissions {
  /** The standard integration policy's actions. */
  readonly standard: readonly string[];
  /** The resource-collection actions (used when resource collection or CSPM is on). */
  readonly resourceCollection: readonly string[];
  /**
   * 'datadog': read from Datadog now. 'pinned': the list shipped with the product, used as the
   * truth (nothing asked Datadog). Both are lists to converge to. 'fallback': Datadog could not
   * be asked; the pinned list, and the planner only adds: it removes nothing it cannot check
   * against Datadog's current lists.
   */
  readonly source: 'datadog' | 'pinned' | 'fallback';
  /** Why the pinned list is used. */
  readonly reason?: string;
}

/**
 * Datadog's standard integration permissions: the 110 IAM actions of its integration policy
 * (Datadog's Organizations CloudFormation template v4.2.3, policy DatadogAWSIntegrationPolicy,
 * Resource "*"). Pinned here so the product works without asking Datadog; a test checks it
 * against the snapshot in ../shared/datadog/iam-permissions-standard.txt.
 */
export const DATADOG_STANDARD_PERMISSIONS: readonly string[] = [
  'account:GetAccountInformation',
  'airflow:GetEnvironment',
  'airflow:ListEnvironments',
  'apigateway:GET',
  'appsync:ListGraphqlApis',
  'autoscaling:Describe*',
  'backup:List*',
  'batch:DescribeJobDefinitions',
  'batch:DescribeJobQueues',
  'batch:DescribeJobs',
  'batch:ListJobs',
  'bcm-data-exports:GetExport',
  'bcm-data-exports:ListExports',
  'budgets:ViewBudget',
  'cloudfront:GetDistributionConfig',
  'cloudfront:ListDistributions',
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetTrail',
  'cloudtrail:GetTrailStatus',
  'cloudtrail:ListTrails',
  'cloudtrail:LookupEvents',
  'cloudwatch:Describe*',
  'cloudwatch:Get*',
  'cloudwatch:List*',
  'codebuild:BatchGetProjects',
  'codebuild:ListProjects',
  'codedeploy:BatchGet*',
  'codedeploy:List*',
  'cur:DescribeReportDefinitions',
  'directconnect:Describe*',
  'dms:DescribeReplicationInstances',
  'dynamodb:Describe*',
  'dynamodb:List*',
  'ec2:Describe*',
  'ecs:Describe*',
  'ecs:List*',
  'eks:DescribeCluster',
  'eks:ListClusters',
  'elasticache:Describe*',
  'elasticache:List*',
  'elasticfilesystem:DescribeAccessPoints',
  'elasticfilesystem:DescribeFileSystems',
  'elasticfilesystem:DescribeTags',
  'elasticloadbalancing:Describe*',
  'elasticmapreduce:Describe*',
  'elasticmapreduce:List*',
  'es:DescribeElasticsearchDomains',
  'es:ListDomainNames',
  'es:ListTags',
  'events:CreateEventBus',
  'fsx:DescribeFileSystems',
  'fsx:ListTagsForResource',
  'health:DescribeAffectedEntities',
  'health:DescribeEventDetails',
  'health:DescribeEvents',
  'iam:ListAccountAliases',
  'iot:GetV2LoggingOptions',
  'kinesis:Describe*',
  'kinesis:List*',
  'lambda:List*',
  'logs:DeleteSubscriptionFilter',
  'logs:DescribeDeliveries',
  'logs:DescribeDeliverySources',
  'logs:DescribeLogGroups',
  'logs:DescribeLogStreams',
  'logs:DescribeSubscriptionFilters',
  'logs:FilterLogEvents',
  'logs:GetDeliveryDestination',
  'logs:PutSubscriptionFilter',
  'logs:TestMetricFilter',
  'network-firewall:DescribeLoggingConfiguration',
  'network-firewall:ListFirewalls',
  'oam:ListAttachedLinks',
  'oam:ListSinks',
  'organizations:Describe*',
  'organizations:List*',
  'rds:Describe*',
  'rds:List*',
  'redshift-serverless:ListNamespaces',
  'redshift:DescribeClusters',
  'redshift:DescribeLoggingStatus',
  'route53:List*',
  'route53resolver:ListResolverQueryLogConfigs',
  's3:GetBucketLocation',
  's3:GetBucketLogging',
  's3:GetBucketNotification',
  's3:GetBucketTagging',
  's3:ListAllMyBuckets',
  's3:PutBucketNotification',
  'ses:Get*',
  'ses:List*',
  'sns:GetSubscriptionAttributes',
  'sns:List*',
  'sns:Publish',
  'sqs:ListQueues',
  'ssm:GetServiceSetting',
  'ssm:ListCommands',
  'states:DescribeStateMachine',
  'states:ListStateMachines',
  'support:DescribeTrustedAdvisor*',
  'support:RefreshTrustedAdvisorCheck',
  'tag:GetResources',
  'tag:GetTagKeys',
  'tag:GetTagValues',
  'timestream:DescribeEndpoints',
  'trustedadvisor:ListRecommendationResources',
  'trustedadvisor:ListRecommendations',
  'wafv2:ListLoggingConfigurations',
  'xray:BatchGetTraces',
  'xray:GetTraceSummaries',
];

export const PINNED_PERMISSIONS: DatadogPermissions = {
  standard: DATADOG_STANDARD_PERMISSIONS,
  resourceCollection: [],
  source: 'pinned',
  reason: 'the pinned list shipped with the product',
};
