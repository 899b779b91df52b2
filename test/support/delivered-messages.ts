// Which messages a suite sends for delivery without the run token (issue 15:
// the after-run sweep finds the run's mail by the token and nothing else, so
// such a message stays in the user's mailbox). Read from the loaded suites,
// per SMTP connection: a message is `data` after DATA's 354, raw octets after
// a 354, or a BDAT chunk; it carries the token when its own text does, when a
// raw step on the same connection just sent an `X-Mailconform-Run: ${run.token}`
// header in front of a fixture, when an interpolated fixture's text does, or when the connection's EHLO name carries it
// (the Received field names it: fixtures compared byte for byte, BDAT counts,
// the empty message). An IMAP APPEND into the test's own `mc-${run.token}-…`
// mailbox goes with the mailbox; one into any other (INBOX) must carry the
// token in its literal (or in the raw octets sent as the literal).

import type { Step, SuiteFile, Template } from "../../runner/model/ast.ts";

const hasToken = (t: Template): boolean => t.parts.some((p) => typeof p !== "string" && p.ref === "run.token");

function* flat(steps: readonly Step[]): Generator<Step> {
  for (const s of steps) {
    yield s;
    if (s.kind === "repeat" || s.kind === "retry") yield* flat(s.steps);
  }
}

/** "file:line test-id: what" for every message sent without the run token. */
export function messagesWithoutToken(suites: readonly SuiteFile[]): string[] {
  const out: string[] = [];
  for (const suite of suites) {
    for (const test of suite.tests) {
      const on = (p: string) => new Set([...(test.protocol === p ? ["main"] : []), ...test.connections.filter((c) => c.protocol === p).map((c) => c.name)]);
      const smtp = on("smtp");
      const imap = on("imap");
      /** IMAP connections with an APPEND outside the test's mailbox whose literal comes as the next raw step. */
      const appending = new Set<string>();
      const ehlo = new Set<string>();
      const inData = new Set<string>();
      /** Connections whose message text so far carries the token (a raw header before a fixture, a first raw part). */
      const marked = new Set<string>();
      const flag = (line: number, what: string) => out.push(`${test.file}:${line} ${test.id}: ${what}`);
      for (const s of flat([...test.setup, ...test.steps, ...test.cleanup, ...test.finally])) {
        if (imap.has(s.on)) {
          if (s.kind === "send" && /^(UID )?APPEND /i.test(s.line.text) && !s.line.text.includes("mc-${run.token}")) {
            const literal = s.literal?.source;
            if (literal && !(literal.kind === "text" && hasToken(literal.text))) flag(s.span.line, `APPEND ${literal.kind === "file" ? `of ${literal.path.split("/").pop()}` : "literal"} outside the test's mailbox`);
            if (!literal && /\{\d+\+?\}$/.test(s.line.text)) appending.add(s.on);
          } else if (s.kind === "raw" && appending.has(s.on)) {
            if (!hasToken(s.bytes)) flag(s.span.line, "APPEND literal outside the test's mailbox");
            appending.delete(s.on);
          }
          continue;
        }
        if (!smtp.has(s.on)) continue;
        if (s.kind === "send" && /^(EHLO|HELO|LHLO) /i.test(s.line.text)) {
          if (hasToken(s.line)) ehlo.add(s.on);
          else ehlo.delete(s.on);
        }
        if (s.kind === "expect" && s.expect.protocol === "smtp") {
          const intermediate = /354|"3[x5]x"/.test(JSON.stringify(s.expect.code));
          if (intermediate) inData.add(s.on);
          else inData.delete(s.on);
          marked.delete(s.on);
          continue;
        }
        const carries = ehlo.has(s.on) || marked.has(s.on);
        if (s.kind === "data" && inData.has(s.on)) {
          const own = s.source.kind === "text" ? s.source.text : s.source.interpolated;
          if (!(carries || (own !== undefined && hasToken(own)))) flag(s.span.line, s.source.kind === "file" ? `data from ${s.source.path.split("/").pop()}` : "data");
        } else if (s.kind === "raw" && (inData.has(s.on) || /^BDAT /i.test(s.bytes.text) || /\r\nBDAT /i.test(s.bytes.text))) {
          if (hasToken(s.bytes)) marked.add(s.on);
          // Octets after a 354 or in a BDAT chunk: the message, or its first part.
          else if (!carries && /\S/.test(s.bytes.text.replace(/^BDAT \d+( LAST)?\r\n/i, ""))) flag(s.span.line, `raw ${JSON.stringify(s.bytes.text.slice(0, 40))}`);
        }
      }
    }
  }
  return out;
}
