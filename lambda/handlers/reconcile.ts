import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../aws-config';
import { organizationDependencies } from '../organization-dependencies';
import { createReconcileHandler } from '../reconcile/reconcile';
import { createLogger, createMetrics } from '../report/telemetry';
import { QUEUE_URL_VARIABLE, lambdaConfig, requiredVariable } from './environment';

const config = lambdaConfig(process.env);

export const handler = createReconcileHandler({
  config,
  organization: { ...organizationDependencies(config, process.env), now: () => new Date() },
  sqs: new SQSClient(awsClientConfig(process.env)),
  queueUrl: requiredVariable(process.env, QUEUE_URL_VARIABLE),
  logger: createLogger('reconcile'),
  metrics: createMetrics('reconcile'),
  dryRun: config.deployment.reconcileDryRun,
});
