import type { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Partition } from '../domain/partition';
import { roleArn } from '../domain/policy';

/** How long after joining an account's AccessDenied is taken as "too new, retry" rather than a setup error. */
export const NEW_ACCOUNT_GRACE_MS = 2 * 60 * 60 * 1000;

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export type MemberAccessResult =
  | { readonly kind: 'ok'; readonly iam: IAMClient }
  | { readonly kind: 'denied'; readonly code: string; readonly message: string };

/** Assumes the member access role (e.g. OrganizationAccountAccessRole) and hands out an IAM client in that account. */
export class MemberAccess {
  constructor(
    private readonly sts: STSClient,
    /** Builds an IAM client acting in the member account with these credentials. */
    private readonly makeIam: (credentials: TemporaryCredentials) => IAMClient,
  ) {}

  /**
   * Touches the member account: called only once the scope says it is to be worked on
   * (observe-account.ts), never ahead of that decision, however much sooner that would be.
   */
  async iamIn(accountId: string, partition: Partition, memberAccessRoleName: string): Promise<MemberAccessResult> {
    try {
      const response = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn(partition, accountId, memberAccessRoleName),
          RoleSessionName: 'datadog-aws-org-integration',
          DurationSeconds: 900,
        }),
      );
      const credentials = response.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
        return { kind: 'denied', code: 'NoCredentials', message: 'AssumeRole returned no credentials' };
      }
      return {
        kind: 'ok',
        iam: this.makeIam({
          accessKeyId: credentials.AccessKeyId,
          secretAccessKey: credentials.SecretAccessKey,
          sessionToken: credentials.SessionToken,
          expiration: credentials.Expiration,
        }),
      };
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      if (name === 'AccessDenied' || name === 'AccessDeniedException' || name === 'RegionDisabledException') {
        return { kind: 'denied', code: name, message: (error as Error).message };
      }
      throw error;
    }
  }
}
