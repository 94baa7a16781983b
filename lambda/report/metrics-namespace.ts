/**
 * The CloudWatch namespace the functions emit their metrics in. Its own module, free of
 * dependencies, so the CDK app (alarms, dashboard) reads it without loading Powertools.
 */
export const METRICS_NAMESPACE = 'DatadogAwsOrgIntegration';
