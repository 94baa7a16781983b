import { PINNED_PERMISSIONS, type DatadogPermissions } from '../domain/datadog-permissions';
import { StateError, messageOf } from '../domain/errors';

/**
 * Datadog's current IAM permission lists, read from its v2 iam_permissions endpoints (they
 * serve the lists for either API version) and cached; the pinned standard list when Datadog
 * cannot be asked or answers something that is not a list of IAM actions.
 */

export interface PermissionLists {
  readonly standard: () => Promise<unknown>;
  readonly resourceCollection: () => Promise<unknown>;
}


// service:Action, with IAM's wildcards; anything else is not written into a policy.
const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;
/** Far above Datadog's lists (hundreds of actions): a bigger answer is not a permission list. */
const MAX_ACTIONS = 5000;

/** The actions of an iam_permissions answer, or why it is not usable. */
export function permissionsIn(body: unknown): string[] | string {
  const list = (body as { data?: { attributes?: { permissions?: unknown } } } | undefined)?.data?.attributes?.permissions;
  if (!Array.isArray(list)) return 'the answer has no data.attributes.permissions list';
  if (list.length === 0) return 'the list is empty';
  if (list.length > MAX_ACTIONS) return `the list has ${list.length} entries, more than ${MAX_ACTIONS}`;
  const bad = list.find((action) => typeof action !== 'string' || !IAM_ACTION.test(action));
  if (bad !== undefined) return `${JSON.stringify(bad)} is not an IAM action`;
  return [...new Set(list as string[])].sort();
}

export interface PermissionSourceOptions {
  /** How long a read list is reused. Default 1 hour. */
  readonly ttlMs?: number;
  /** How long to keep using the pinned list after a failed read before asking again. Default 5 minutes. */
  readonly retryAfterMs?: number;
  readonly now?: () => number;
  /** Told once per failed read (for a log line or a metric). */
  readonly onFallback?: (reason: string) => void;
}

/** One per process (a warm Lambda keeps it): reads Datadog's lists at most once per ttl. */
export class DatadogPermissionSource {
  private cached?: { value: DatadogPermissions; until: number };
  private pending?: Promise<DatadogPermissions>;

  constructor(
    private readonly lists: PermissionLists,
    private readonly options: PermissionSourceOptions = {},
  ) {}

  async current(): Promise<DatadogPermissions> {
    const now = this.now();
    if (this.cached && now < this.cached.until) return this.cached.value;
    // Concurrent callers share one read.
    this.pending ??= this.read().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async read(): Promise<DatadogPermissions> {
    let value: DatadogPermissions;
    try {
      const [standard, resourceCollection] = await Promise.all([this.lists.standard(), this.lists.resourceCollection()]);
      const s = permissionsIn(standard);
      const r = permissionsIn(resourceCollection);
      if (typeof s === 'string') throw new StateError(`iam_permissions/standard: ${s}`, false);
      if (typeof r === 'string') throw new StateError(`iam_permissions/resource_collection: ${r}`, false);
      value = { standard: s, resourceCollection: r, source: 'datadog' };
    } catch (error) {
      const reason = `Datadog's permission lists could not be read (${messageOf(error)}); using the pinned list`;
      this.options.onFallback?.(reason);
      value = { ...PINNED_PERMISSIONS, source: 'fallback', reason };
      this.cached = { value, until: this.now() + (this.options.retryAfterMs ?? 5 * 60_000) };
      return value;
    }
    this.cached = { value, until: this.now() + (this.options.ttlMs ?? 60 * 60_000) };
    return value;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
