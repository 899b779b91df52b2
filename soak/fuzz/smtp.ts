// SMTP fuzz targets: command lines built from the RFC 5321 grammar (verbs,
// paths with source routes, quoted local parts, address literals, ESMTP
// parameters, SASL arguments) then mutated, through the server's command
// splitter and argument parsers; and DATA streams with every line ending mix
// through the line reader and MessageBody, whose accepted output must never
// carry a bare CR or LF (the smuggling invariant).
// Standards: RFC 5321 §4.1.1-4.1.3, §4.5.2, §2.3.8; RFC 3030; RFC 4954 §4; RFC 6531.

import fc from "fast-check";
import { isMailError } from "../../reference-server/core/errors.ts";
import { splitCommandLine } from "../../reference-server/core/session.ts";
import { parseHeloArgument, parseMailbox, parsePathArgument } from "../../reference-server/smtp/grammar.ts";
import { MessageBody } from "../../reference-server/smtp/message-body.ts";
import { LineBuffer } from "../../wire/lines.ts";
import { unstuffLine } from "../../wire/dot-stuffing.ts";
import { anyCase, bytesOf, edgeNumber, joined, keyword, specialChar, withMutations, word } from "./pieces.ts";
import { showBytes, type FuzzTarget } from "./target.ts";

const label = fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?$/) }, { weight: 1, arbitrary: word });
const addressLiteral = fc.oneof(
  fc.ipV4().map((ip) => `[${ip}]`),
  fc.ipV6().map((ip) => `[IPv6:${ip}]`),
  fc.tuple(word, word).map(([tag, value]) => `[${tag}:${value}]`),
  fc.constantFrom("[1.2.3.4]", "[256.1.1.1]", "[IPv6:]", "[]", "["),
);
export const smtpDomain = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("example.test", "EXAMPLE.TEST", "Example.Test", "other.test", "localhost") },
  { weight: 2, arbitrary: fc.domain() },
  { weight: 1, arbitrary: joined(label, ".", 4) },
  { weight: 1, arbitrary: addressLiteral },
);
const quotedLocal = fc
  .array(fc.oneof(word, fc.constantFrom('\\"', "\\\\", "@", " ", "\\", '"', "\\\x01")), { maxLength: 4 })
  .map((parts) => `"${parts.join("")}"`);
export const localPart = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("alice", "bob", "postmaster", "PostMaster", "user%other.test", "user!other", "a..b", ".a", "a.") },
  { weight: 4, arbitrary: joined(fc.stringMatching(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,10}$/), ".", 3) },
  { weight: 2, arbitrary: quotedLocal },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }) },
);
const mailbox = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(localPart, smtpDomain).map(([l, d]) => `${l}@${d}`) },
  { weight: 1, arbitrary: localPart },
  { weight: 1, arbitrary: fc.tuple(localPart, smtpDomain, smtpDomain).map(([l, a, b]) => `${l}@${a}@${b}`) },
);
const sourceRoute = joined(smtpDomain.map((d) => `@${d}`), ",", 3).map((r) => `${r}:`);
export const smtpPath = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.option(sourceRoute, { nil: "", freq: 4 }), mailbox).map(([route, m]) => `<${route}${m}>`) },
  { weight: 1, arbitrary: fc.constantFrom("<>", "<", ">", "<<a@b>>", "<a@b", "a@b>", "") },
  { weight: 1, arbitrary: mailbox },
);
/** After "FROM:" / "TO:": none (RFC), one space (tolerated), two (refused). */
const pathSeparator = fc.oneof({ weight: 4, arbitrary: fc.constant("") }, { weight: 2, arbitrary: fc.constant(" ") }, { weight: 1, arbitrary: fc.constant("  ") });
const esmtpParam = fc.oneof(
  fc.tuple(keyword("SIZE"), edgeNumber).map(([k, v]) => `${k}=${v}`),
  fc.tuple(keyword("BODY"), keyword("7BIT", "8BITMIME", "BINARYMIME", "X")).map(([k, v]) => `${k}=${v}`),
  keyword("SMTPUTF8"),
  fc.tuple(keyword("AUTH", "RET", "ENVID", "NOTIFY", "ORCPT", "X-FOO"), fc.option(word, { nil: undefined })).map(([k, v]) => (v === undefined ? k : `${k}=${v}`)),
  word,
);
const params = fc.oneof(fc.constant(""), fc.array(esmtpParam, { minLength: 1, maxLength: 3 }).map((p) => " " + p.join(" ")));
const base64 = fc.oneof(fc.base64String({ maxLength: 40 }), fc.constantFrom("=", "*", "AGFsaWNlAGFsaWNlLXB3", "not base64!", "===="), word);

export const smtpVerbLine = fc.oneof(
  fc.tuple(keyword("EHLO", "HELO", "LHLO"), fc.oneof(smtpDomain, fc.constant(""))).map(([v, d]) => (d ? `${v} ${d}` : v)),
  fc.tuple(keyword("MAIL"), anyCase("FROM:"), pathSeparator, smtpPath, params).map((p) => `${p[0]} ${p[1]}${p[2]}${p[3]}${p[4]}`),
  fc.tuple(keyword("RCPT"), anyCase("TO:"), pathSeparator, smtpPath, params).map((p) => `${p[0]} ${p[1]}${p[2]}${p[3]}${p[4]}`),
  fc.tuple(keyword("AUTH"), keyword("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "GSSAPI"), fc.option(base64, { nil: undefined })).map(([a, m, r]) => (r === undefined ? `${a} ${m}` : `${a} ${m} ${r}`)),
  fc.tuple(keyword("BDAT"), edgeNumber, fc.option(keyword("LAST"), { nil: undefined })).map(([b, n, l]) => (l ? `${b} ${n} ${l}` : `${b} ${n}`)),
  fc.tuple(keyword("VRFY", "EXPN", "HELP", "NOOP"), fc.oneof(fc.constant(""), mailbox, word)).map(([v, a]) => (a ? `${v} ${a}` : v)),
  keyword("DATA", "RSET", "QUIT", "STARTTLS", "TURN", "ETRN"),
  fc.tuple(word, word).map(([v, a]) => `${v} ${a}`),
);

/** SMTP command lines (without CRLF), mostly well-formed, often mutated. */
export const smtpCommandLine = withMutations(smtpVerbLine);

/** What each verb's parser is: the driver's splitter, then the verb's argument grammar. */
function parseSmtpLine(line: Buffer): void {
  const command = splitCommandLine(line);
  switch (command.verb) {
    case "EHLO":
    case "HELO":
      parseHeloArgument(command.args, command.verb);
      return;
    case "MAIL":
      parsePathArgument(command.args, "FROM");
      return;
    case "RCPT":
      parsePathArgument(command.args, "TO");
      return;
    case "VRFY":
    case "EXPN":
      if (command.args.includes("@")) parseMailbox(command.args);
      return;
  }
}

export const smtpCommandTarget: FuzzTarget<string> = {
  name: "smtp-command",
  arbitrary: smtpCommandLine,
  check(text) {
    try {
      parseSmtpLine(bytesOf(text));
    } catch (error) {
      if (!isMailError(error)) throw error;
    }
  },
  show: (text) => showBytes(text),
};

const dataLine = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(".", "..", ".x", "MAIL FROM:<evil@x.test>", "RCPT TO:<bob@example.test>", "DATA", "QUIT") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.nat(1200).map((n) => "x".repeat(n)) },
);
const ending = fc.constantFrom("\r\n", "\r\n", "\r\n", "\n", "\r", "\r\r\n", "\n\r");

/** A DATA stream: lines with any ending, split into chunks at random points. */
export const dataStream = fc.tuple(fc.array(fc.tuple(dataLine, ending), { maxLength: 12 }), fc.array(fc.nat(200), { maxLength: 4 }), specialChar);

export const smtpDataTarget: FuzzTarget<[[string, string][], number[], string]> = {
  name: "smtp-data",
  arbitrary: dataStream,
  check([lines, cuts, tail]) {
    const bytes = bytesOf(lines.map(([l, e]) => l + e).join("") + tail);
    const reader = new LineBuffer({ maxLineOctets: 1100 });
    const body = new MessageBody(64 * 1024, false);
    let offset = 0;
    for (const cut of [...cuts, bytes.length]) {
      const end = Math.min(bytes.length, offset + cut);
      reader.push(bytes.subarray(offset, end));
      offset = end;
      for (;;) {
        let line;
        try {
          line = reader.nextLine();
        } catch {
          body.lineTooLong();
          reader.drain();
          break;
        }
        if (!line) break;
        const content = unstuffLine(line.bytes);
        body.addLine(content === "end" ? line.bytes.subarray(1) : content, line.ending);
      }
    }
    if (body.verdict() !== null) return;
    // Smuggling invariant: a message the server would accept holds CRLF line ends only.
    const out = body.bytes();
    for (let i = 0; i < out.length; i++) {
      if (out[i] === 0x0a && out[i - 1] !== 0x0d) throw new Error(`accepted message holds a bare LF at ${i}`);
      if (out[i] === 0x0d && out[i + 1] !== 0x0a) throw new Error(`accepted message holds a bare CR at ${i}`);
    }
  },
  show: ([lines, , tail]) => showBytes(lines.map(([l, e]) => l + e).join("") + tail),
};
