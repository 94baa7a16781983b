import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config } from '../../lambda/config/schema';
import { anyOccurrenceAlarm } from '../alarms';
import type { DatadogKeys } from '../datadog-keys';
import { handlerCode } from '../handler-code';

/** What the worker and the reconcile are built from: both read the organization and the Datadog keys. */
export interface OrganizationFunctionProps {
  readonly handlersDir: string;
  readonly config: Config;
  readonly queue: IQueue;
  readonly keys: DatadogKeys;
  /** The environment the two share: configuration, queue URL, metrics namespace. */
  readonly environment: Record<string, string>;
  readonly alarmActions: readonly IAlarmAction[];
}

export type FunctionOptions = Pick<NodejsFunctionProps, 'description' | 'timeout' | 'memorySize' | 'environment' | 'reservedConcurrentExecutions'>;

/**
 * The props of one of the three functions: its own role (no managed policies) and its own
 * log group, which only it may write. Both are created beside the function, in `scope`, as
 * `<id>Role` and `<id>Logs`: the construct paths (and so the logical IDs) of a deployed stack.
 */
export function functionProps(scope: Construct, id: string, entry: string, retention: RetentionDays, options: FunctionOptions): NodejsFunctionProps {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention, removalPolicy: RemovalPolicy.DESTROY });
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `${id} function of datadog-aws-org-integration`,
  });
  logGroup.grantWrite(role);
  return {
    ...handlerCode(entry),
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    role,
    logGroup,
    ...options,
    environment: { POWERTOOLS_SERVICE_NAME: id.toLowerCase(), ...options.environment },
  };
}

/** The function's Errors alarm, beside it in `scope` as `<id>ErrorsAlarm`. */
export function errorsAlarm(scope: Construct, fn: IFunction, actions: readonly IAlarmAction[]): Alarm {
  const id = fn.node.id;
  return anyOccurrenceAlarm(scope, `${id}ErrorsAlarm`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), `The ${id.toLowerCase()} function failed`, actions);
}
