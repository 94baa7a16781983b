/** An account as the organization describes it: the input of the scope rule. */

/** Organizations' account State, plus "not in the organization at all". */
export type OrgAccountState =
  | 'ACTIVE'
  | 'PENDING_ACTIVATION'
  | 'PENDING_CLOSURE'
  | 'SUSPENDED'
  | 'CLOSED'
  | 'NOT_IN_ORGANIZATION'
  /** A state Organizations reports that this product does not know: nothing is done to the account. */
  | 'UNKNOWN';

export interface OrgAccount {
  readonly accountId: string;
  readonly state: OrgAccountState;
  readonly name?: string;
  /** Root first, then each OU down to the account's parent. */
  readonly parentPath: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly isManagementAccount: boolean;
}
