// The run's defaults, in a module of their own that imports nothing: the
// command line declares `run` and starts its target before it loads the
// runner (cli/run.ts), and still states the runner's own values.
// Standards: none (run settings).

/**
 * One test at a time unless asked: every test works on the same target
 * users' mailboxes (an IMAP test counts EXISTS in INBOX while an SMTP test
 * delivers there), so concurrency is opt-in for suites written to be
 * independent; POP3 tests never overlap in any case (plan/schedule.ts).
 */
export const DEFAULT_JOBS = 1;
/** Wait budget per step in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;
