/** The CLI's exit codes: a public contract (README "Exit codes", and the root --help). */
export const EXIT = {
  /** Done: every account ok, skipped, or left to retry later by apply; nothing to do. */
  ok: 0,
  /** An account failed, Datadog refused a call, or a host could not be reached. */
  failed: 1,
  /** Usage or configuration: bad option or input, missing Datadog keys, missing or rejected AWS credentials. */
  usage: 2,
  /** The deletion guard tripped: plan lists what it holds; apply and an org-wide handle-event delete nothing and do the rest. */
  deletionGuard: 3,
  /** converge / handle-event: retry later (a new account cannot be assumed yet, or a transient failure). */
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
  3   the deletion guard tripped: plan lists the deletions it holds; apply and an org-wide
      handle-event deleted nothing and did every creation and repair
  75  converge / handle-event: retry later (a new account cannot be assumed yet, or a transient
      failure: throttled, timed out, a Datadog 5xx)`;
