/**
 * Datadog's standard integration permissions (the IAM actions of its integration policy), as
 * the stand-in serves them from iam_permissions/standard when Datadog's dated snapshot
 * (../shared/datadog/iam-permissions-standard.txt) is not beside the repository. Grouped by
 * service, actions separated by spaces; standins/test/datadog-facts.test.ts compares it with
 * the snapshot when that is there.
 */
const BY_SERVICE: Readonly<Record<string, string>> = {
  account: 'GetAccountInformation', airflow: 'GetEnvironment ListEnvironments', apigateway: 'GET',
  appsync: 'ListGraphqlApis', autoscaling: 'Describe*', backup: 'List*',
  batch: 'DescribeJobDefinitions DescribeJobQueues DescribeJobs ListJobs',
  'bcm-data-exports': 'GetExport ListExports', budgets: 'ViewBudget',
  cloudfront: 'GetDistributionConfig ListDistributions',
  cloudtrail: 'DescribeTrails GetTrail GetTrailStatus ListTrails LookupEvents', cloudwatch: 'Describe* Get* List*',
  codebuild: 'BatchGetProjects ListProjects', codedeploy: 'BatchGet* List*', cur: 'DescribeReportDefinitions',
  directconnect: 'Describe*', dms: 'DescribeReplicationInstances', dynamodb: 'Describe* List*', ec2: 'Describe*',
  ecs: 'Describe* List*', eks: 'DescribeCluster ListClusters', elasticache: 'Describe* List*',
  elasticfilesystem: 'DescribeAccessPoints DescribeFileSystems DescribeTags', elasticloadbalancing: 'Describe*',
  elasticmapreduce: 'Describe* List*', es: 'DescribeElasticsearchDomains ListDomainNames ListTags',
  events: 'CreateEventBus', fsx: 'DescribeFileSystems ListTagsForResource',
  health: 'DescribeAffectedEntities DescribeEventDetails DescribeEvents', iam: 'ListAccountAliases',
  iot: 'GetV2LoggingOptions', kinesis: 'Describe* List*', lambda: 'List*',
  logs: 'DeleteSubscriptionFilter DescribeDeliveries DescribeDeliverySources DescribeLogGroups DescribeLogStreams DescribeSubscriptionFilters FilterLogEvents GetDeliveryDestination PutSubscriptionFilter TestMetricFilter',
  'network-firewall': 'DescribeLoggingConfiguration ListFirewalls', oam: 'ListAttachedLinks ListSinks',
  organizations: 'Describe* List*', rds: 'Describe* List*', 'redshift-serverless': 'ListNamespaces',
  redshift: 'DescribeClusters DescribeLoggingStatus', route53: 'List*',
  route53resolver: 'ListResolverQueryLogConfigs',
  s3: 'GetBucketLocation GetBucketLogging GetBucketNotification GetBucketTagging ListAllMyBuckets PutBucketNotification',
  ses: 'Get* List*', sns: 'GetSubscriptionAttributes List* Publish', sqs: 'ListQueues',
  ssm: 'GetServiceSetting ListCommands', states: 'DescribeStateMachine ListStateMachines',
  support: 'DescribeTrustedAdvisor* RefreshTrustedAdvisorCheck', tag: 'GetResources GetTagKeys GetTagValues',
  timestream: 'DescribeEndpoints', trustedadvisor: 'ListRecommendationResources ListRecommendations',
  wafv2: 'ListLoggingConfigurations', xray: 'BatchGetTraces GetTraceSummaries',
};

export const STANDIN_STANDARD_PERMISSIONS: readonly string[] = Object.entries(BY_SERVICE)
  .flatMap(([service, actions]) => actions.split(' ').map((action) => `${service}:${action}`))
  .sort();
