// POP3 fuzz target: command lines from the RFC 1939 / RFC 2449 / RFC 5034
// vocabulary with message numbers at every edge, then mutated, through the
// driver's splitter and the argument checks the commands share (splitArgs,
// messageNumber, parseCount, the APOP and AUTH argument forms).
// Standards: RFC 1939 §3, §5-7; RFC 2449 §5; RFC 5034 §4.

import fc from "fast-check";
import { isMailError } from "../../reference-server/core/errors.ts";
import { splitCommandLine } from "../../reference-server/core/session.ts";
import { messageNumber, parseCount, splitArgs } from "../../reference-server/pop3/maildrop.ts";
import type { Pop3Session } from "../../reference-server/pop3/states.ts";
import { decodeInitialResponse } from "../../reference-server/auth/sasl.ts";
import { bytesOf, edgeNumber, keyword, withMutations, word } from "./pieces.ts";
import { showBytes, type FuzzTarget } from "./target.ts";

const verbLine = fc.oneof(
  fc.tuple(keyword("USER", "PASS"), fc.oneof(word, fc.constantFrom("alice", "alice-pw", "", " ", "a b"))).map(([v, a]) => `${v} ${a}`),
  fc.tuple(keyword("APOP"), word, fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), word)).map(([v, u, d]) => `${v} ${u} ${d}`),
  fc.tuple(keyword("LIST", "RETR", "DELE", "UIDL"), fc.option(edgeNumber, { nil: undefined })).map(([v, n]) => (n === undefined ? v : `${v} ${n}`)),
  fc.tuple(keyword("TOP"), edgeNumber, fc.option(edgeNumber, { nil: undefined })).map(([v, n, l]) => (l === undefined ? `${v} ${n}` : `${v} ${n} ${l}`)),
  fc.tuple(keyword("AUTH"), fc.option(keyword("PLAIN", "LOGIN", "CRAM-MD5", "X"), { nil: undefined }), fc.option(fc.base64String({ maxLength: 40 }), { nil: undefined })).map(
    ([v, m, r]) => [v, m, r].filter((x) => x !== undefined).join(" "),
  ),
  keyword("STAT", "NOOP", "RSET", "QUIT", "CAPA", "STLS", "UIDL", "LIST"),
  fc.tuple(word, word).map(([v, a]) => `${v} ${a}`),
);

export const pop3CommandLine = withMutations(verbLine);

/** A TRANSACTION-state session with three messages, the second marked deleted: enough for the number checks. */
function fakeSession(): Pop3Session {
  const info = { uid: 1, size: 10, flags: [], internalDate: new Date(0) };
  return { maildrop: { mailbox: null, uidValidity: 1, messages: [info, { ...info, uid: 2 }, { ...info, uid: 3 }], deleted: new Set([2]) } } as unknown as Pop3Session;
}

function parsePop3Line(line: Buffer): void {
  const command = splitCommandLine(line);
  const s = fakeSession();
  switch (command.verb) {
    case "LIST":
    case "RETR":
    case "DELE":
    case "UIDL": {
      const [arg] = splitArgs(command.args, 1);
      if (arg !== undefined || command.verb === "RETR" || command.verb === "DELE") messageNumber(s, arg);
      return;
    }
    case "TOP": {
      const args = splitArgs(command.args, 2);
      messageNumber(s, args[0]);
      parseCount(args[1], "line count");
      return;
    }
    case "AUTH": {
      const match = /^([A-Za-z0-9_-]{1,20})(?: (\S+))?$/.exec(command.args);
      if (match?.[2] !== undefined) decodeInitialResponse(match[2]);
      return;
    }
  }
}

export const pop3CommandTarget: FuzzTarget<string> = {
  name: "pop3-command",
  arbitrary: pop3CommandLine,
  check(text) {
    try {
      parsePop3Line(bytesOf(text));
    } catch (error) {
      if (!isMailError(error)) throw error;
    }
  },
  show: (text) => showBytes(text),
};
