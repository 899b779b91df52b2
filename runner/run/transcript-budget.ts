// The run's budget of transcript text. Each test keeps at most
// TEST_TRANSCRIPT_CAPS (head and tail, the middle counted); the run as a whole
// keeps about RUN_TRANSCRIPT_OCTETS, and once that is spent every later test
// gets SPENT_CAPS — still the lines a failure is explained by. So a server
// that floods every test costs a bounded report and bounded memory however
// many tests run (issue 13, item 8: 192 flooded tests held 1.1 GB before).
// Standards: none (report format).

import { TEST_TRANSCRIPT_CAPS, type TestResult, type TranscriptCaps } from "../model/result.ts";

/** 4 MiB of text, about 13 MB of JSON: twice what every bundled suite keeps against the reference server (1.8 MiB). */
export const RUN_TRANSCRIPT_OCTETS = 4 * 1024 * 1024;
/** Past the budget: the first lines (connection, greeting) and the last ones (what the console and JUnit show of a failure). */
export const SPENT_CAPS: TranscriptCaps = { headOctets: 1024, tailOctets: 3 * 1024, runBudget: true };

/** Octets of text a kept line costs (as runner/session/transcript.ts counts them): UTF-8 plus a line end. */
function keptOctets(transcript: TestResult["transcript"]): number {
  let n = 0;
  for (const line of transcript) n += Buffer.byteLength(line.text, "utf8") + 2;
  return n;
}

const share = (caps: TranscriptCaps) => caps.headOctets + caps.tailOctets;

export class TranscriptBudget {
  /** Octets kept by finished tests plus the shares reserved by running ones. */
  private used = 0;

  constructor(
    private readonly totalOctets = RUN_TRANSCRIPT_OCTETS,
    private readonly perTest: TranscriptCaps = TEST_TRANSCRIPT_CAPS,
    private readonly spent: TranscriptCaps = SPENT_CAPS,
  ) {}

  /**
   * The caps of a test about to start. Its full share is reserved while it
   * runs, so tests running at once (--jobs) cannot together pass the budget;
   * `settle` puts back what its transcript did not use.
   */
  open(): { caps: TranscriptCaps; settle(result: TestResult): void } {
    const caps = this.used + share(this.perTest) <= this.totalOctets ? this.perTest : this.spent;
    const reserved = share(caps);
    this.used += reserved;
    return { caps, settle: (result) => void (this.used += keptOctets(result.transcript) - reserved) };
  }
}
