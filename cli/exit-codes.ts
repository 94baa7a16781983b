/** The CLI's exit codes: a public contract (README "Exit codes", and the root --help). */
export const EXIT = {
  /** Done: every account ok, skipped, or left to retry later by apply; nothing to do. */
  ok: 0,
  /** An account failed, Datadog refused a call, or a host could not be reached. */
  failed: 1,
  /** Usage or configuration: bad option or input, missing Datadog keys, missing or rejected AWS credentials. */
  usage: 2,
  /** plan / apply / an org-wide handle-event: the deletion guard held every deletion (creations and repairs were done). */
  deletionGuard: 3,
  /** converge / handle-event: retry later (a new account cannot be assumed yet). */
  retryLater: 75,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table as the root --help shows it. */
export const EXIT_CODES_HELP = `
Exit codes:
  0   done (every account ok, skipped, or left to retry later by apply; nothing to do)
  1   an account failed, Datadog refused a call, or AWS or Datadog could not be reached
  2   usage or configuration: a bad option or input, missing Datadog keys, missing or rejected
      AWS credentials, an unusable configuration (nothing was changed)
  3   plan / apply / an org-wide handle-event: the deletion guard held every deletion
      (nothing was deleted; creations and repairs were done)
  75  converge / handle-event: retry later (a new account cannot be assumed yet)`;
