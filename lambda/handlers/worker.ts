import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../aws-config';
import { pipelineDependencies } from '../dependencies';
import { TimeBudget } from '../domain/time-budget';
import { createWorkerHandler } from '../queue/worker';
import { createLogger, createMetrics } from '../report/telemetry';
import { QUEUE_URL_VARIABLE, lambdaConfig, requiredVariable } from './environment';

const config = lambdaConfig(process.env);
const logger = createLogger('worker');
// One budget: the handler sets it per invocation, the Datadog client checks its retry waits against it.
const budget = new TimeBudget();

export const handler = createWorkerHandler({
  config,
  pipeline: pipelineDependencies(config, process.env, { onPermissionsFallback: (reason) => logger.warn(reason), budget }),
  sqs: new SQSClient(awsClientConfig(process.env)),
  queueUrl: requiredVariable(process.env, QUEUE_URL_VARIABLE),
  logger,
  metrics: createMetrics('worker'),
  budget,
});
