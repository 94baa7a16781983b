import {
  AccountNotFoundException,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListParentsCommand,
  ListTagsForResourceCommand,
  type Account,
  type Organization,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { StateError } from '../domain/errors';
import { isOrganizationId } from '../domain/organization-id';
import { PARTITIONS, partitionOfArn, type Partition } from '../domain/partition';
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

/**
 * One account read in two stages: described (DescribeAccount, and its tags when asked), then
 * its OU path (one ListParents per level up to the root, each waiting for the one before).
 */
export interface AccountReading {
  /** State, name, tags, management account or not; parentPath still empty. Enough for a scope that does not look at OUs. */
  readonly described: Promise<ObservedOrgAccount>;
  /** With its OU path, root first. */
  readonly complete: Promise<ObservedOrgAccount>;
}

/** Reads one account's place in the organization. Called from the management account (or a delegated administrator). */
export class OrganizationsReader {
  private facts?: Promise<OrganizationFacts>;

  constructor(private readonly client: OrganizationsClient) {}

  /** The organization's ID, the management account and the partition, read once (or told by an account's ARN, see read). */
  organization(): Promise<OrganizationFacts> {
    this.facts ??= this.client.send(new DescribeOrganizationCommand({})).then((response) => organizationFacts(response.Organization));
    this.facts.catch(() => (this.facts = undefined));
    return this.facts;
  }

  /** One account: its state, OU path and (when asked, one more call) its tags. */
  account(accountId: string, options: { readTags?: boolean } = {}): Promise<ObservedOrgAccount> {
    return this.read(accountId, options).complete;
  }

  /**
   * One account, DescribeAccount first: its ARN names the organization, so on a cold process no
   * DescribeOrganization takes a turn of Organizations' rate ahead of the OU path (which is
   * rate-bound: every call more on it is one more wait for a token).
   */
  read(accountId: string, options: { readTags?: boolean } = {}): AccountReading {
    const answer = this.describeAccount(accountId);
    const tags = answer.then((account) => (account && options.readTags !== false ? this.tags(accountId) : {}));
    const path = answer.then((account) => (account ? this.parentPath(accountId) : []));
    const described = Promise.all([answer, tags, this.managementAccountAfter(answer)]).then(
      ([account, accountTags, managementAccountId]): ObservedOrgAccount => {
        const isManagementAccount = accountId === managementAccountId;
        if (!account) return { accountId, state: 'NOT_IN_ORGANIZATION', parentPath: [], tags: {}, isManagementAccount };
        return {
          accountId,
          state: accountState(account.State ?? account.Status),
          name: account.Name,
          parentPath: [],
          tags: accountTags,
          isManagementAccount,
          joinedAt: account.JoinedTimestamp,
        };
      },
    );
    const complete = Promise.all([described, path]).then(([account, parentPath]) => ({ ...account, parentPath }));
    // A caller may await only one stage: the other's failure is the same error, not an unhandled one.
    described.catch(() => undefined);
    complete.catch(() => undefined);
    return { described, complete };
  }

  /** DescribeAccount's Account; undefined when the account is not in the organization. */
  private async describeAccount(accountId: string): Promise<Account | undefined> {
    try {
      return (await this.client.send(new DescribeAccountCommand({ AccountId: accountId }))).Account ?? {};
    } catch (error) {
      if (error instanceof AccountNotFoundException) return undefined;
      throw error;
    }
  }

  /** The management account's ID, from the described account's ARN when the facts are not read yet (DescribeOrganization otherwise). */
  private async managementAccountAfter(answer: Promise<Account | undefined>): Promise<string> {
    const account = await answer;
    const told = account && organizationFactsOfAccountArn(account.Arn, account.Id);
    if (told) this.facts ??= Promise.resolve(told);
    return (await this.organization()).managementAccountId;
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


const ACCOUNT_ARN = /^arn:([a-z-]+):organizations::(\d{12}):account\/(o-[a-z0-9]{10,32})\/(\d{12})$/;

/**
 * What an account's ARN tells, as Organizations writes it
 * (arn:<partition>:organizations::<management account>:account/<organization ID>/<account ID>):
 * the facts DescribeOrganization would. Undefined when the ARN is not of that form, or names
 * another account: then DescribeOrganization is asked.
 */
export function organizationFactsOfAccountArn(arn: string | undefined, accountId: string | undefined): OrganizationFacts | undefined {
  const match = ACCOUNT_ARN.exec(arn ?? '');
  if (!match || match[4] !== accountId) return undefined;
  const [, partition, managementAccountId, organizationId] = match as unknown as [string, string, string, string];
  const known = PARTITIONS.find((p) => p === partition);
  if (!known || !isOrganizationId(organizationId)) return undefined;
  return { organizationId, managementAccountId, partition: known };
}
