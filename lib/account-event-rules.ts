import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { NamedPattern } from './event-rules';
import { eventsDeadLetterQueue } from './queue';

/**
 * One rule per pattern of a group (Organizations, ControlTower), created in `scope` as
 * `<pattern id>Rule`, targeting the intake (and the reconcile, for events that may not name
 * their account). What EventBridge cannot deliver goes to the group's `<group>EventsDeadLetterQueue`, returned.
 */
export function accountEventRules(scope: Construct, group: string, patterns: readonly NamedPattern[], targets: { readonly intake: IFunction; readonly reconcile: IFunction }): Queue {
  const deadLetterQueue = eventsDeadLetterQueue(scope, `${group}EventsDeadLetterQueue`);
  for (const { id, description, pattern, reconcilesOrganization } of patterns) {
    const ruleTargets = [new LambdaFunction(targets.intake, { retryAttempts: 8, deadLetterQueue })];
    if (reconcilesOrganization) ruleTargets.push(new LambdaFunction(targets.reconcile, { retryAttempts: 2, deadLetterQueue }));
    new Rule(scope, `${id}Rule`, { description, eventPattern: pattern, targets: ruleTargets });
  }
  return deadLetterQueue;
}
