import {
  AccountNotFoundException,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListParentsCommand,
  ListTagsForResourceCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { Partition } from '../domain/policy';
import type { OrgAccount } from './model';
import { accountState as stateOf, organizationFacts } from './organization-walk';

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
    const state = stateOf(account?.State ?? account?.Status);
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

  private async tags(accountId: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let NextToken: string | undefined;
    do {
      const page = await this.client.send(new ListTagsForResourceCommand({ ResourceId: accountId, NextToken }));
      for (const tag of page.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
      NextToken = page.NextToken;
    } while (NextToken);
    return tags;
  }
}
