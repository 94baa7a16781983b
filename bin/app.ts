import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from '../lib/config';
import { DatadogOrgIntegrationStack } from '../lib/datadog-org-integration-stack';

const app = new App();
new DatadogOrgIntegrationStack(app, 'DatadogOrgIntegration', {
  config: configFromContext(app.node),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: 'us-east-1' },
  description: 'Keeps every account of the AWS Organization integrated with Datadog (datadog-aws-org-integration)',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
