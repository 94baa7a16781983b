import { CfnOutput, Stack } from 'aws-cdk-lib';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { Config } from '../lambda/config/schema';
import { publishedConfigParameterName } from './config';
import { InputError } from '../lambda/domain/errors';

/** SSM's limits on a String parameter's value, per tier (characters). */
const STANDARD_LIMIT = 4096;
const ADVANCED_LIMIT = 8192;
/** Room for the credentials secret's ARN, a token at synth (partition, region, account, a 512-character name, suffix). */
const SECRET_ARN_ALLOWANCE = 600;

export interface PublishedConfigProps {
  /** The configuration the Lambdas run with (the credentials secret's ARN resolved). */
  readonly config: Config;
}

/**
 * Publishes the configuration the deployment runs with in an SSM String parameter, named after
 * the stack, so that `dd-aws-org --from-stack` plans with exactly what the Lambdas use. Nothing
 * secret is in it: the keys stay in Secrets Manager, only the secret's ARN is named.
 */
export class PublishedConfig extends Construct {
  readonly parameter: StringParameter;

  constructor(scope: Construct, id: string, props: PublishedConfigProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = publishedConfigParameterName(stack.stackName);
    this.parameter = new StringParameter(this, 'Parameter', {
      parameterName: name,
      description: 'The configuration of datadog-aws-org-integration, as its Lambdas run with it (read by dd-aws-org --from-stack)',
      stringValue: stack.toJsonString(props.config),
      tier: tierFor(props.config),
    });
    new CfnOutput(stack, 'ConfigParameter', {
      value: name,
      description: 'SSM parameter holding the deployed configuration (dd-aws-org --from-stack reads it)',
    });
  }
}

/** The cheaper tier when the value fits it; a configuration too large for SSM fails synth. */
function tierFor(config: Config): ParameterTier {
  const size = JSON.stringify(config).length + SECRET_ARN_ALLOWANCE;
  if (size <= STANDARD_LIMIT) return ParameterTier.STANDARD;
  if (size <= ADVANCED_LIMIT) return ParameterTier.ADVANCED;
  throw new InputError(
    `the configuration is about ${size} characters as JSON, more than an SSM parameter holds (${ADVANCED_LIMIT}), so the stack cannot publish it ` +
      'for dd-aws-org --from-stack: shorten the longest lists (e.g. scope.excludeAccounts: exclude an OU with scope.excludeOus instead)',
  );
}
