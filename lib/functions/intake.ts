import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { QUEUE_URL_VARIABLE } from '../../lambda/handlers/environment';
import { METRICS_NAMESPACE } from '../../lambda/report/metrics-namespace';
import { errorsAlarm, functionProps } from './lambda-function';

/**
 * The IAM actions of the AWS calls lambda/handlers/intake.ts sends with this function's role
 * (test/cdk/function-permissions.test.ts holds them against the code and the policy).
 */
export const INTAKE_SENDS = ['sqs:SendMessage'] as const;

export interface IntakeFunctionProps {
  readonly handlersDir: string;
  readonly retention: RetentionDays;
  readonly queue: IQueue;
  readonly alarmActions: readonly IAlarmAction[];
}

/** Organizations and Control Tower events in, one message per account out (lambda/handlers/intake.ts). Created in `scope` as Intake. */
export class IntakeFunction extends NodejsFunction {
  readonly errorsAlarm: Alarm;

  constructor(scope: Construct, props: IntakeFunctionProps) {
    super(
      scope,
      'Intake',
      functionProps(scope, 'Intake', path.join(props.handlersDir, 'intake.ts'), props.retention, {
        description: 'Validates Organizations and Control Tower events and enqueues one message per account',
        timeout: Duration.seconds(30),
        environment: { [QUEUE_URL_VARIABLE]: props.queue.queueUrl, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE },
      }),
    );
    props.queue.grantSendMessages(this);
    this.errorsAlarm = errorsAlarm(scope, this, props.alarmActions);
  }
}
