// IMAP fuzz target: commands from the RFC 3501 §9 grammar — sequence sets,
// fetch attributes with sections and partials, recursive search keys, flag
// lists, dates, mailbox names in every form (atom, quoted, literal, modified
// UTF-7 tricks, path tricks) — then mutated, through the argument readers
// the command handlers use (ArgReader, readSequenceSet, readFetchItems,
// readSearch, readDateTime, mailbox names). Framing (tags, literals on the
// wire) is the wire fuzzer's part.
// Standards: RFC 3501 §9, RFC 3501 §5.1.3 (modified UTF-7), RFC 7888, RFC 5258.

import fc from "fast-check";
import { isMailError } from "../../reference-server/core/errors.ts";
import { readDateTime } from "../../reference-server/imap/grammar/dates.ts";
import { ArgReader, syntax } from "../../reference-server/imap/grammar/reader.ts";
import { readSequenceSet } from "../../reference-server/imap/grammar/sequence-set.ts";
import { readFetchItems } from "../../reference-server/imap/fetch-items/parse.ts";
import { readSearch } from "../../reference-server/imap/search-keys/parse.ts";
import { bytesOf, edgeNumber, joined, keyword, withMutations, word } from "./pieces.ts";
import { showBytes, type FuzzTarget } from "./target.ts";

const seqNumber = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 50 }).map(String) }, { weight: 1, arbitrary: fc.constant("*") }, { weight: 1, arbitrary: edgeNumber });
export const sequenceSet = joined(
  fc.oneof(seqNumber, fc.tuple(seqNumber, seqNumber).map(([a, b]) => `${a}:${b}`)),
  ",",
  4,
);

/** A literal as it sits in a received command: "{n}" CRLF octets; sometimes the count lies. */
function literal(content: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const skew = fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(1, -1, 5) });
  return fc.tuple(content, skew, fc.boolean()).map(([text, skew, plus]) => `{${Math.max(0, bytesOf(text).length + skew)}${plus ? "+" : ""}}\r\n${text}`);
}

const quoted = fc.array(fc.oneof(word, fc.constantFrom('\\"', "\\\\", "\\", '"', "\r", "\0")), { maxLength: 4 }).map((p) => `"${p.join("")}"`);
const atomWord = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
export const astring = fc.oneof({ weight: 4, arbitrary: atomWord }, { weight: 1, arbitrary: word }, { weight: 2, arbitrary: quoted }, { weight: 1, arbitrary: literal(word) });

/** Mailbox names aimed at escaping the user's tree or confusing the decoder. */
export const hostileMailboxName = fc.constantFrom(
  "INBOX", "inbox", "INBOX/Sub", "../bob", "..", ".", "/etc/passwd", "/tmp/x", "INBOX/../../bob", "~bob", "~bob/INBOX",
  "&AC4ALg-", "&AC4ALg-/&AC4ALg-/bob", "&AC8-etc", "%2e%2e/bob", "%2E%2E", "a\0b", "&", "&-", "&Jjo-", "&U,BTFw-", "&AGEAYgBj-",
  "&2D3eAA-", "&Jjo", "Sent Items", "a/b/c/d/e/f", "x".repeat(300), "é", "a..b", ".hidden", "a.b", "a%b", "a*b", "a\\b",
);
export const mailboxName = fc.oneof(
  { weight: 2, arbitrary: hostileMailboxName.map((n) => (/^[A-Za-z0-9&%.\/~_-]+$/.test(n) ? n : `"${n.replace(/["\\]/g, "\\$&")}"`)) },
  { weight: 1, arbitrary: hostileMailboxName.chain((n) => literal(fc.constant(n))) },
  { weight: 2, arbitrary: astring },
);
const flag = fc.oneof({ weight: 3, arbitrary: keyword("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "$Forwarded", "Junk") }, { weight: 1, arbitrary: keyword("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "\\Recent", "\\*", "$Forwarded", "\\Foo") }, { weight: 1, arbitrary: word });
export const flagList = fc.array(flag, { maxLength: 4 }).map((f) => `(${f.join(" ")})`);
const month = fc.constantFrom("Jan", "feb", "MAR", "Dec", "Foo", "");
const date = fc.tuple(fc.integer({ min: -1, max: 40 }), month, fc.integer({ min: 0, max: 10000 })).map(([d, m, y]) => `${d}-${m}-${y}`);
const goodDateTime = fc
  .tuple(fc.integer({ min: 1, max: 28 }), fc.constantFrom("Jan", "Feb", "Jul", "Dec"), fc.integer({ min: 1970, max: 2100 }), fc.constantFrom("+0000", "-0700", "+0530"))
  .map(([d, m, y, z]) => `"${String(d).padStart(2, " ")}-${m}-${y} 02:44:25 ${z}"`);
const oddDateTime = fc
  .tuple(fc.constantFrom(" 1", "17", "99", "1", "  "), month, edgeNumber, fc.constantFrom("02:44:25", "24:00:00", "2:4:5", "99:99:99"), fc.constantFrom("-0700", "+0000", "+9999", "Z", ""))
  .map(([d, m, y, t, z]) => `"${d}-${m}-${y} ${t} ${z}"`);
export const dateTime = fc.oneof({ weight: 2, arbitrary: goodDateTime }, { weight: 1, arbitrary: oddDateTime });

const headerList = fc.array(fc.oneof(word, keyword("Subject", "From", "To")), { maxLength: 3 }).map((h) => `(${h.join(" ")})`);
const section = fc.oneof(
  fc.constant(""),
  joined(fc.nat(5).map(String), ".", 3),
  fc.tuple(fc.option(joined(fc.nat(4).map(String), ".", 3), { nil: "" }), keyword("HEADER", "TEXT", "MIME", "HEADER.FIELDS", "HEADER.FIELDS.NOT"), fc.option(headerList, { nil: "" })).map(
    ([part, text, list]) => `${part ? part + "." : ""}${text}${list ? " " + list : ""}`,
  ),
);
const partial = fc.option(fc.tuple(edgeNumber, edgeNumber).map(([a, b]) => `<${a}.${b}>`), { nil: "" });
const fetchAtt = fc.oneof(
  keyword("UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY", "BODYSTRUCTURE", "RFC822", "RFC822.HEADER", "RFC822.TEXT", "MODSEQ", "BINARY[1]"),
  fc.tuple(keyword("BODY", "BODY.PEEK", "BINARY", "BINARY.PEEK"), section, partial).map(([n, s, p]) => `${n}[${s}]${p}`),
);
export const fetchItems = fc.oneof(keyword("ALL", "FAST", "FULL"), fetchAtt, fc.array(fetchAtt, { minLength: 1, maxLength: 4 }).map((a) => `(${a.join(" ")})`));

export const searchKey: fc.Arbitrary<string> = fc.letrec<{ key: string }>((tie) => ({
  key: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    keyword("ALL", "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "NEW", "OLD", "RECENT", "SEEN", "UNANSWERED", "UNSEEN", "UNDELETED"),
    fc.tuple(keyword("BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO", "KEYWORD", "UNKEYWORD"), astring).map(([k, v]) => `${k} ${v}`),
    fc.tuple(keyword("BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE"), fc.oneof(date, date.map((d) => `"${d}"`))).map(([k, v]) => `${k} ${v}`),
    fc.tuple(keyword("LARGER", "SMALLER"), edgeNumber).map(([k, v]) => `${k} ${v}`),
    fc.tuple(keyword("HEADER"), astring, astring).map(([k, f, v]) => `${k} ${f} ${v}`),
    fc.tuple(keyword("UID"), sequenceSet).map(([k, v]) => `${k} ${v}`),
    sequenceSet,
    fc.tuple(keyword("NOT"), tie("key")).map(([k, v]) => `${k} ${v}`),
    fc.tuple(keyword("OR"), tie("key"), tie("key")).map(([k, a, b]) => `${k} ${a} ${b}`),
    fc.array(tie("key"), { maxLength: 3 }).map((keys) => `(${keys.join(" ")})`),
  ),
})).key;

/** The arguments after the verb, per command, as a client would send them. */
const commandArgs: Record<string, fc.Arbitrary<string>> = {
  FETCH: fc.tuple(sequenceSet, fetchItems).map(([s, f]) => `${s} ${f}`),
  STORE: fc.tuple(sequenceSet, keyword("FLAGS", "+FLAGS", "-FLAGS.SILENT", "FLAGS.SILENT", "X"), fc.oneof(flagList, flag)).map(([s, i, f]) => `${s} ${i} ${f}`),
  SEARCH: fc.tuple(fc.option(keyword("CHARSET UTF-8", "CHARSET US-ASCII", "CHARSET KOI8-R"), { nil: "" }), fc.array(searchKey, { minLength: 1, maxLength: 3 })).map(([c, k]) => [c, ...k].filter(Boolean).join(" ")),
  APPEND: fc.tuple(mailboxName, fc.option(flagList, { nil: "" }), fc.option(dateTime, { nil: "" }), literal(fc.string({ maxLength: 40 }))).map((p) => p.filter(Boolean).join(" ")),
  STATUS: fc.tuple(mailboxName, fc.array(keyword("MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "SIZE", "X"), { maxLength: 4 })).map(([m, i]) => `${m} (${i.join(" ")})`),
  COPY: fc.tuple(sequenceSet, mailboxName).map(([s, m]) => `${s} ${m}`),
  RENAME: fc.tuple(mailboxName, mailboxName).map(([a, b]) => `${a} ${b}`),
  SELECT: mailboxName,
  LIST: fc.tuple(fc.option(keyword("(SUBSCRIBED)", "(REMOTE)", "(RECURSIVEMATCH)", "()"), { nil: "" }), mailboxName, fc.oneof(mailboxName, keyword("*", "%", "INBOX*", "%/%")), fc.option(keyword("RETURN (CHILDREN)", "RETURN (SPECIAL-USE)", "RETURN ()"), { nil: "" })).map((p) => p.filter(Boolean).join(" ")),
  LOGIN: fc.tuple(astring, astring).map(([u, p]) => `${u} ${p}`),
};

const VERBS = Object.keys(commandArgs);
/** A whole IMAP command after the tag: verb, space, arguments. */
export const imapCommand = fc.constantFrom(...VERBS).chain((verb) => withMutations(commandArgs[verb]!).map((args) => [verb, args] as const));

/** The argument readers each command's handler runs, in its order. */
function parseImapArgs(verb: string, args: string): void {
  const raw = bytesOf(`t ${verb} ${args}`);
  const r = new ArgReader(raw, 2 + verb.length);
  r.sp();
  switch (verb) {
    case "FETCH":
      readSequenceSet(r);
      r.sp();
      readFetchItems(r);
      break;
    case "STORE":
      readSequenceSet(r);
      r.sp();
      if (!r.accept("+")) r.accept("-");
      r.atom("FLAGS");
      r.sp();
      r.flagsLoose();
      break;
    case "SEARCH":
      readSearch(r);
      break;
    case "APPEND":
      r.mailbox();
      r.sp();
      if (r.peek() === 0x28) {
        r.flagList();
        r.sp();
      }
      if (r.peek() === 0x22) {
        readDateTime(r);
        r.sp();
      }
      r.literal();
      break;
    case "STATUS":
      r.mailbox();
      r.sp();
      r.expect("(");
      while (!r.accept(")")) {
        r.atom("a status item");
        if (r.accept(")")) break;
        r.sp();
      }
      break;
    case "COPY":
      readSequenceSet(r);
      r.sp();
      r.mailbox();
      break;
    case "RENAME":
      r.mailbox();
      r.sp();
      r.mailbox();
      break;
    case "SELECT":
      r.mailbox();
      break;
    case "LIST":
      if (r.peek() === 0x28) {
        r.expect("(");
        while (!r.accept(")")) {
          r.atom("an option");
          if (r.accept(")")) break;
          r.sp();
        }
        r.sp();
      }
      r.mailboxReference();
      r.sp();
      r.listMailbox();
      if (r.accept(" ")) {
        if (!r.peekWord("RETURN")) syntax("expected RETURN");
        r.pos += 6;
        r.sp();
        r.expect("(");
        while (!r.accept(")")) {
          r.atom("a return option");
          if (r.accept(")")) break;
          r.sp();
        }
      }
      break;
    case "LOGIN":
      r.astringText();
      r.sp();
      r.astringText();
      break;
  }
  r.end();
}

export const imapCommandTarget: FuzzTarget<readonly [string, string]> = {
  name: "imap-command",
  arbitrary: imapCommand,
  check([verb, args]) {
    try {
      parseImapArgs(verb, args);
    } catch (error) {
      if (!isMailError(error)) throw error;
    }
  },
  show: ([verb, args]) => showBytes(`t ${verb} ${args}`),
};
