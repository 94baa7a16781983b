import { Aws, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { controlTowerPatterns } from './event-rules';
import { ORGANIZATIONS_EVENTS_REGION } from './datadog-org-integration';

/**
 * Control Tower emits its lifecycle events in its home region. When that is not us-east-1,
 * this small stack (deployed in the home region) forwards them to us-east-1's default bus,
 * where the main stack's Control Tower rules pick them up.
 */
export class ControlTowerForwarderStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const target = EventBus.fromEventBusArn(
      this,
      'UsEast1DefaultBus',
      `arn:${Aws.PARTITION}:events:${ORGANIZATIONS_EVENTS_REGION}:${Aws.ACCOUNT_ID}:event-bus/default`,
    );
    for (const { id: ruleId, description, pattern } of controlTowerPatterns()) {
      new Rule(this, `${ruleId}Forward`, {
        description: `Forward to us-east-1: ${description}`,
        eventPattern: pattern,
        targets: [new EventBusTarget(target)],
      });
    }
  }
}
