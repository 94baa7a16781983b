import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../lambda/config/schema';
import { DATADOG_SITES } from '../lambda/datadog/sites';
import { DatadogOrgIntegration } from './datadog-org-integration';

export interface DatadogOrgIntegrationStackProps extends StackProps {
  readonly config: Config;
}

export { CREATED_SECRET_NAME_PREFIX } from './datadog-org-integration';

/** The deployment in the management account, us-east-1 (where Organizations events arrive). */
export class DatadogOrgIntegrationStack extends Stack {
  readonly integration: DatadogOrgIntegration;

  constructor(scope: Construct, id: string, props: DatadogOrgIntegrationStackProps) {
    super(scope, id, props);
    this.integration = new DatadogOrgIntegration(this, 'Integration', { config: props.config });
    const { site } = props.config.datadog;
    new CfnOutput(this, 'DatadogSite', { value: site, description: 'Datadog site the integrations are kept on' });
    new CfnOutput(this, 'DatadogPrincipal', {
      value: DATADOG_SITES[site].principal,
      description: "AWS account that Datadog assumes the member accounts' roles from",
    });
  }
}
