import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from '../lib/config';
import { ControlTowerForwarderStack } from '../lib/control-tower-forwarder-stack';
import { ORGANIZATIONS_EVENTS_REGION } from '../lib/datadog-org-integration';
import { DatadogOrgIntegrationStack } from '../lib/datadog-org-integration-stack';

const app = new App();
const config = configFromContext(app.node);
const account = process.env.CDK_DEFAULT_ACCOUNT;

new DatadogOrgIntegrationStack(app, 'DatadogOrgIntegration', {
  config,
  env: { account, region: ORGANIZATIONS_EVENTS_REGION },
  description: 'Keeps every account of the AWS Organization integrated with Datadog (datadog-aws-org-integration)',
});

const { controlTower } = config.deployment;
if (controlTower.enabled && controlTower.homeRegion !== ORGANIZATIONS_EVENTS_REGION) {
  new ControlTowerForwarderStack(app, 'DatadogOrgIntegrationControlTower', {
    env: { account, region: controlTower.homeRegion },
    description: `Forwards Control Tower lifecycle events from ${controlTower.homeRegion} to us-east-1 (datadog-aws-org-integration)`,
  });
}

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
