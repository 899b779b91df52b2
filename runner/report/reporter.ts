// What a reporter is: one subscriber to the run's event stream. Reporters
// derive nothing — status, failure class and exit code arrive in the events —
// and they see no sockets. Options reach them through their factory, never
// through environment variables read in a constructor.

import type { LiveEvents, RunEvent } from "../model/events.ts";

export interface Reporter {
  readonly name: string;
  /** True when it writes to the terminal; the CLI adds the console reporter when none does. */
  readonly printsToConsole: boolean;
  /** The step and wire events it reads as tests run; absent: all of them (a reporter that does not say gets everything). */
  readonly liveEvents?: LiveEvents;
  onEvent(event: RunEvent): void;
  /** Flush and write files; called once after run-end. */
  close?(): Promise<void> | void;
}

/** Where a console-style reporter writes; a stream in production, a string buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
}
