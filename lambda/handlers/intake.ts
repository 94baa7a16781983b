import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../aws-config';
import { createIntakeHandler } from '../event/intake';
import { createLogger, createMetrics } from '../report/telemetry';
import { QUEUE_URL_VARIABLE, requiredVariable } from './environment';

export const handler = createIntakeHandler({
  sqs: new SQSClient(awsClientConfig(process.env)),
  queueUrl: requiredVariable(process.env, QUEUE_URL_VARIABLE),
  logger: createLogger('intake'),
  metrics: createMetrics('intake'),
});
