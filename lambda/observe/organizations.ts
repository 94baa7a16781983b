import {
  AccountNotFoundException,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListParentsCommand,
  ListTagsForResourceCommand,
  type Organization,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { StateError } from '../domain/errors';
import { isOrganizationId } from '../domain/organization-id';
import { partitionOfArn, type Partition } from '../domain/partition';
import type { OrgAccount, OrgAccountState } from './model';

/** Organizations, read: the organization's facts, an account's state and tags, one account's place (the walk reads all, in organization-walk.ts). */

export interface OrganizationFacts {
  /** The organization's ID (o-...): the ownership marker names it. */
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly partition: Partition;
}

export interface ObservedOrgAccount extends OrgAccount {
  readonly joinedAt?: Date;
}

/** Reads one account's place in the organization. Called from the management account (or a delegated administrator). */
export class OrganizationsReader {
  private facts?: Promise<OrganizationFacts>;

  constructor(private readonly client: OrganizationsClient) {}

  /** The organization's ID, the management account and the partition, read once. */
  organization(): Promise<OrganizationFacts> {
    this.facts ??= this.client.send(new DescribeOrganizationCommand({})).then((response) => organizationFacts(response.Organization));
    this.facts.catch(() => (this.facts = undefined));
    return this.facts;
  }

  /** One account: its state, OU path and (when asked, one more call) its tags. */
  async account(accountId: string, options: { readTags?: boolean } = {}): Promise<ObservedOrgAccount> {
    const { managementAccountId } = await this.organization();
    const isManagementAccount = accountId === managementAccountId;
    let account;
    try {
      account = (await this.client.send(new DescribeAccountCommand({ AccountId: accountId }))).Account;
    } catch (error) {
      if (error instanceof AccountNotFoundException) {
        return { accountId, state: 'NOT_IN_ORGANIZATION', parentPath: [], tags: {}, isManagementAccount };
      }
      throw error;
    }
    const state = accountState(account?.State ?? account?.Status);
    const [parentPath, tags] = await Promise.all([this.parentPath(accountId), options.readTags === false ? {} : this.tags(accountId)]);
    return {
      accountId,
      state,
      name: account?.Name,
      parentPath,
      tags,
      isManagementAccount,
      joinedAt: account?.JoinedTimestamp,
    };
  }

  /** Root first, down to the direct parent. */
  private async parentPath(childId: string): Promise<string[]> {
    const path: string[] = [];
    let current = childId;
    for (let depth = 0; depth < 10; depth++) {
      const parent = (await this.client.send(new ListParentsCommand({ ChildId: current }))).Parents?.[0];
      if (!parent?.Id) break;
      path.unshift(parent.Id);
      if (parent.Type === 'ROOT') break;
      current = parent.Id;
    }
    return path;
  }

  private tags(accountId: string): Promise<Record<string, string>> {
    return readAccountTags(this.client, accountId);
  }
}

/** Every tag of one account, all pages. */
export async function readAccountTags(client: OrganizationsClient, accountId: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListTagsForResourceCommand({ ResourceId: accountId, NextToken }));
    for (const tag of page.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    NextToken = page.NextToken;
  } while (NextToken);
  return tags;
}

const STATES: ReadonlySet<string> = new Set(['ACTIVE', 'PENDING_ACTIVATION', 'PENDING_CLOSURE', 'SUSPENDED', 'CLOSED']);

/** Organizations retired `Status` in favour of `State` (September 2026): State first, Status as fallback. */
export function accountState(raw: string | undefined): OrgAccountState {
  if (raw === undefined) return 'ACTIVE';
  return STATES.has(raw) ? (raw as OrgAccountState) : 'UNKNOWN';
}

/**
 * What DescribeOrganization tells: the ID, the management account, the partition. Without an
 * ID nothing can be marked or proven ours, so nothing is done.
 */
export function organizationFacts(organization: Organization | undefined): OrganizationFacts {
  const organizationId = organization?.Id ?? '';
  if (!isOrganizationId(organizationId)) {
    throw new StateError(
      `Organizations' DescribeOrganization answered without a valid organization ID (${JSON.stringify(organizationId)}): ` +
        'run with the credentials of the management account (or a delegated administrator) of the organization',
      false,
    );
  }
  const arn = organization?.MasterAccountArn ?? organization?.Arn ?? '';
  return { organizationId, managementAccountId: organization?.MasterAccountId ?? '', partition: partitionOfArn(arn) };
}

