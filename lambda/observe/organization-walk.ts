import {
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { Partition } from '../domain/partition';
import type { OrgAccount } from './model';
import { accountState, organizationFacts, readAccountTags, type ObservedOrgAccount, type OrganizationFacts } from './organizations';

/** The whole organization as read in one walk: every account with its state and OU path. */
export interface OrganizationSnapshot {
  /** The organization's ID (o-...): the ownership marker names it. */
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly partition: Partition;
  readonly accounts: readonly ObservedOrgAccount[];
  /** Accounts whose tags were read (all, when the configuration needs tags and time allowed). */
  readonly tagsRead: ReadonlySet<string>;
}

export interface WalkOptions {
  /** Read each account's tags (one call per account): only when the configuration uses tags. */
  readonly readTags: boolean;
  /** Parallel calls; the SDK's retries absorb Organizations' throttling. */
  readonly concurrency?: number;
  /** Stop reading tags at this time (ms since epoch); accounts left are reported without tags. */
  readonly tagsDeadline?: number;
  readonly now?: () => number;
  /** Told each page of accounts as it arrives, before tags: lets a caller start work during the walk. */
  readonly onAccounts?: (accounts: readonly OrgAccount[]) => void;
  /** Told the organization's facts (ID, partition) as soon as DescribeOrganization answers. */
  readonly onOrganization?: (facts: OrganizationFacts) => void;
  /** Told after each parent is listed and each account's tags are read (a progress display). */
  readonly onProgress?: (progress: WalkProgress) => void;
}

/** How far a walk has got: parents (root and OUs) listed, accounts found, tags read of those to read. */
export interface WalkProgress {
  readonly parentsListed: number;
  readonly accounts: number;
  readonly tagsRead: number;
  readonly tagsToRead: number;
}

/** Runs tasks with at most `limit` at once, in order of the input. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/** A parent to list, its path from the root, and its place among its siblings at each depth (its own first). */
export interface WalkParent {
  readonly id: string;
  readonly path: string[];
  readonly places: readonly number[];
}

/**
 * A level's parents in the order to list them: first child of every branch, then second ones...,
 * at every depth (sorted by place among siblings, deepest first). The accounts of every subtree,
 * and so of every profile's OUs, come throughout the walk instead of one subtree after another:
 * the work streamed to the workers reaches every Datadog target (each with its own write limit)
 * side by side, not one target at a time.
 */
export function spreadOverBranches<T extends Pick<WalkParent, 'places'>>(level: readonly T[]): T[] {
  const byPlaces = (a: T, b: T) => {
    for (let i = 0; i < Math.min(a.places.length, b.places.length); i++) if (a.places[i] !== b.places[i]) return a.places[i]! - b.places[i]!;
    return a.places.length - b.places.length;
  };
  return [...level].sort(byPlaces);
}

async function allPages<T>(fetchPage: (token: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    items.push(...page.items);
    token = page.next;
  } while (token);
  return items;
}

/**
 * Walks the OU tree from the root(s): per parent, its child OUs and its accounts (paginated).
 * About 2 calls per OU plus one per 20 accounts: the fewest Organizations allows for the paths.
 */
export async function walkOrganization(client: OrganizationsClient, options: WalkOptions): Promise<OrganizationSnapshot> {
  const concurrency = options.concurrency ?? 4;
  const { organizationId, managementAccountId, partition } = organizationFacts((await client.send(new DescribeOrganizationCommand({}))).Organization);
  options.onOrganization?.({ organizationId, managementAccountId, partition });
  const roots = await allPages(async (NextToken) => {
    const page = await client.send(new ListRootsCommand({ NextToken }));
    return { items: (page.Roots ?? []).flatMap((r) => (r.Id ? [r.Id] : [])), next: page.NextToken };
  });

  const accounts: ObservedOrgAccount[] = [];
  let parentsListed = 0;
  const tagsRead = new Set<string>();
  const tagsToRead = options.readTags ? () => accounts.length : () => 0;
  const report = () => options.onProgress?.({ parentsListed, accounts: accounts.length, tagsRead: tagsRead.size, tagsToRead: tagsToRead() });
  let level: WalkParent[] = roots.map((id, place) => ({ id, path: [id], places: [place] }));
  while (level.length > 0) {
    const children = await mapLimit(level, concurrency, async (parent) => {
      const [ous, members] = await Promise.all([
        allPages(async (NextToken) => {
          const page = await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent.id, NextToken }));
          return { items: (page.OrganizationalUnits ?? []).flatMap((ou) => (ou.Id ? [ou.Id] : [])), next: page.NextToken };
        }),
        allPages(async (NextToken) => {
          const page = await client.send(new ListAccountsForParentCommand({ ParentId: parent.id, NextToken }));
          const found: ObservedOrgAccount[] = (page.Accounts ?? []).flatMap((account) =>
            account.Id
              ? [
                  {
                    accountId: account.Id,
                    state: accountState(account.State ?? account.Status),
                    name: account.Name,
                    parentPath: parent.path,
                    tags: {},
                    isManagementAccount: account.Id === managementAccountId,
                    // When it joined: AccessDenied from a new account is "retry later", from an old one a setup error.
                    joinedAt: account.JoinedTimestamp,
                  },
                ]
              : [],
          );
          // Each page as it comes, not the parent's accounts at its end: the workers start on them at once.
          if (found.length > 0) options.onAccounts?.(found);
          return { items: found, next: page.NextToken };
        }),
      ]);
      accounts.push(...members);
      parentsListed++;
      report();
      return ous.map((id, place) => ({ id, path: [...parent.path, id], places: [place, ...parent.places] }));
    });
    level = spreadOverBranches(children.flat());
  }

  if (options.readTags) {
    const now = options.now ?? Date.now;
    await mapLimit(accounts, concurrency, async (account) => {
      if (options.tagsDeadline !== undefined && now() >= options.tagsDeadline) return;
      (account as { tags: Record<string, string> }).tags = await readAccountTags(client, account.accountId);
      tagsRead.add(account.accountId);
      report();
    });
  }
  accounts.sort((a, b) => a.accountId.localeCompare(b.accountId));
  return { organizationId, managementAccountId, partition, accounts, tagsRead };
}
