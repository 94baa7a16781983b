/**
 * AWS STS (Query protocol) operations of the stand-in: AssumeRole, with the checks STS makes
 * (input constraints, the target account and role, the trust policy, session duration limits),
 * and GetCallerIdentity.
 */

import { AwsApiError, type Caller, type FakeAwsOrganization } from './model';
import { checkPolicy, trustAllows } from './policy';
import type { QueryParams, XmlValue } from './protocol';

const ROLE_ARN = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]+)$/;

function validation(message: string): AwsApiError {
  return new AwsApiError('ValidationError', message, 400);
}

function constraint(value: string | number, member: string, rule: string): AwsApiError {
  return validation(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${rule}`);
}

/** The account an STS call acts in: for AssumeRole the role's account (when the ARN parses). */
export function stsActingAccount(caller: Caller, operation: string, params: QueryParams): string {
  if (operation !== 'AssumeRole') return caller.accountId;
  return ROLE_ARN.exec(params.get('RoleArn') ?? '')?.[2] ?? caller.accountId;
}

function assumeRole(model: FakeAwsOrganization, caller: Caller, params: QueryParams): XmlValue {
  const roleArn = params.require('RoleArn');
  const sessionName = params.require('RoleSessionName');
  if (roleArn.length < 20) throw constraint(roleArn, 'roleArn', 'Member must have length greater than or equal to 20');
  if (roleArn.length > 2048) throw constraint(roleArn, 'roleArn', 'Member must have length less than or equal to 2048');
  if (!/^[\w+=,.@-]*$/.test(sessionName)) {
    throw constraint(sessionName, 'roleSessionName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
  }
  if (sessionName.length < 2) throw constraint(sessionName, 'roleSessionName', 'Member must have length greater than or equal to 2');
  if (sessionName.length > 64) throw constraint(sessionName, 'roleSessionName', 'Member must have length less than or equal to 64');
  const duration = params.int('DurationSeconds');
  if (duration !== undefined && duration < 900) {
    throw constraint(duration, 'durationSeconds', 'Member must have value greater than or equal to 900');
  }
  if (duration !== undefined && duration > 43200) {
    throw constraint(duration, 'durationSeconds', 'Member must have value less than or equal to 43200');
  }
  const externalId = params.get('ExternalId');
  if (externalId !== undefined) {
    if (!/^[\w+=,.@:/-]*$/.test(externalId)) {
      throw constraint(externalId, 'externalId', 'Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*');
    }
    if (externalId.length < 2) throw constraint(externalId, 'externalId', 'Member must have length greater than or equal to 2');
    if (externalId.length > 1224) throw constraint(externalId, 'externalId', 'Member must have length less than or equal to 1224');
  }
  const parsedArn = ROLE_ARN.exec(roleArn);
  if (!parsedArn) throw validation(`${roleArn} is invalid`);
  const [, partition, accountId, roleName] = parsedArn as unknown as [string, string, string, string];

  const denied = new AwsApiError(
    'AccessDenied',
    `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    403,
  );
  if (partition !== model.partition) throw denied;
  const account = model.accountRecord(accountId);
  if (account && account.state !== 'ACTIVE') throw denied;
  if (model.consumeAssumeDenial(accountId, roleName)) throw denied;
  const role = model.rolesOf(accountId).get(roleName.toLowerCase());
  if (!role) throw denied;
  const trust = checkPolicy(role.assumeRolePolicyDocument, 'trust', model.partition);
  if (!trust.ok) throw denied;
  const allowed = trustAllows(trust.policy, {
    principalAccount: caller.accountId,
    principalArn: caller.arn,
    ...(caller.session && { principalRoleArn: caller.session.roleArn }),
    ...(externalId !== undefined && { externalId }),
    partition: model.partition,
  });
  if (!allowed) throw denied;

  const seconds = duration ?? 3600;
  if (caller.kind === 'assumed-role' && seconds > 3600) {
    throw validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (seconds > role.maxSessionDuration) {
    throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  const session = model.issueSession(role, accountId, sessionName, seconds, caller.arn, externalId);
  return {
    AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${sessionName}`, Arn: session.arn },
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: session.expiration,
    },
  };
}

/** Runs one STS operation; throws AwsApiError with STS's codes. */
export function stsCall(model: FakeAwsOrganization, caller: Caller, operation: string, params: QueryParams): XmlValue {
  switch (operation) {
    case 'AssumeRole':
      return assumeRole(model, caller, params);
    case 'GetCallerIdentity':
      return { UserId: caller.userId, Account: caller.accountId, Arn: caller.arn };
    default:
      throw new AwsApiError('InvalidAction', `Could not find operation ${operation} for version 2011-06-15`, 400);
  }
}
