// SMTP expectations: a reply code, a class (2xx, 25x) or a list of them, or a
// map adding the enhanced status code, EHLO-style line sets, a text regex, a
// bound on each line's length and captures. Produces SmtpExpect for the SMTP reply matcher.
// LMTP connections read the same, plus `replies: [...]`: the per-recipient replies after DATA.
// Standards: RFC 5321 §4.2 (reply codes, multiline replies), §4.5.3.1.5 (reply line), RFC 3463 and RFC 2034 (enhanced codes),
// RFC 2033 §4.2 (one reply per accepted recipient, in RCPT order).

import { isMap, isScalar, isSeq } from "yaml";
import type { SmtpExpect } from "../../model/ast.ts";
import type { Slot } from "../node-reader.ts";
import type { TestContext } from "../test-context.ts";
import type { Protocol } from "../../model/ast.ts";
import { foreignExpectKeyHint, LINE_SET_KEYS, LMTP_REPLIES_KEYS, SMTP_EXPECT_KEYS } from "../vocabulary.ts";

/** A bound a reply line can be checked against: anything longer is beyond what the runner reads as one line. */
const MAX_REPLY_LINE_OCTETS_CHECKED = 65_536;
import { readCaptures, type Binding, type ExpectRead } from "./capture.ts";
import { readLineSet } from "./line-set.ts";

/** reply-code = %x32-35 %x30-35 %x30-39 (RFC 5321 §4.2), with x for "any digit" at the end. */
const REPLY_CODE = /^[2-5](?:[0-5][0-9]|[0-5]x|xx)$/;
/** status-code = class "." subject "." detail (RFC 3463 §2), x for "any". */
const ENHANCED_CODE = /^[245]\.(?:[0-9]{1,3}|x)\.(?:[0-9]{1,3}|x)$/;
const CODE_FORMS = "a reply code like 250, a class like 2xx or 25x, or a list of them";

export function readSmtpExpect(ctx: TestContext, slot: Slot, connection: string, protocol: Protocol = "smtp"): ExpectRead<SmtpExpect> | undefined {
  const span = ctx.reader.span(slot.node);
  const binds: Binding[] = [];
  if (isMap(slot.node) && slot.node.has("replies")) return readReplies(ctx, slot, connection, protocol);
  if (!isMap(slot.node)) {
    const code = readCodes(ctx, slot);
    return code === undefined ? undefined : { expect: { protocol: "smtp", code, captures: [], span }, binds };
  }
  const entries = ctx.reader.map(slot, "an SMTP expectation", SMTP_EXPECT_KEYS, foreignExpectKeyHint("SMTP"));
  if (entries === undefined) return undefined;
  const code = entries.has("code") ? readCodes(ctx, entries.get("code")!) : undefined;
  const expect: SmtpExpect = { protocol: "smtp", code: code ?? [], captures: [], span };
  const enhanced = entries.get("enhanced");
  if (enhanced !== undefined) {
    const value = ctx.reader.string(enhanced);
    if (value !== undefined && !ENHANCED_CODE.test(value)) {
      ctx.reader.error(enhanced.node, `'enhanced' must be an enhanced status code like 2.1.0 or a pattern like 5.x.x, got '${value}'`);
    } else if (value !== undefined && code !== undefined && code.every((c) => c[0] !== value[0])) {
      // RFC 3463 §3: the class digit of the enhanced code equals that of the reply code.
      ctx.reader.error(enhanced.node, `'enhanced' class ${value[0]} does not agree with reply code ${code.join(", ")} (RFC 3463 §3)`);
    } else if (value !== undefined) {
      expect.enhanced = value;
    }
  }
  const lines = entries.get("lines");
  if (lines !== undefined) {
    const set = ctx.reader.map(lines, "'lines'", LINE_SET_KEYS);
    const read = set === undefined ? undefined : readLineSet(ctx, set.get("includes"), set.get("excludes"), connection);
    if (read !== undefined) expect.lines = read;
  }
  const text = entries.get("text");
  if (text !== undefined) {
    const regex = ctx.regex(text, connection);
    if (regex !== undefined) expect.text = regex;
  }
  const maxLine = entries.get("max-line-octets");
  if (maxLine !== undefined) {
    // The shortest reply line is a code and CRLF.
    const octets = ctx.reader.integer(maxLine, 5, MAX_REPLY_LINE_OCTETS_CHECKED);
    if (octets !== undefined) expect.maxLineOctets = octets;
  }
  expect.captures = readCaptures(ctx, entries.get("capture"), connection, binds);
  return code === undefined ? undefined : { expect, binds };
}

/** `replies: [250, { code: 552, enhanced: 5.2.2 }]`: LMTP's replies to the final "." of DATA, one per accepted RCPT. */
function readReplies(ctx: TestContext, slot: Slot, connection: string, protocol: Protocol): ExpectRead<SmtpExpect> | undefined {
  const entries = ctx.reader.map(slot, "an LMTP reply list", LMTP_REPLIES_KEYS);
  if (entries === undefined) return undefined;
  const listSlot = entries.get("replies")!;
  if (protocol !== "lmtp") {
    ctx.reader.error(listSlot.at, "'replies' reads LMTP's per-recipient replies after DATA (RFC 2033 §4.2); this connection speaks SMTP, which sends one reply");
    return undefined;
  }
  const items = ctx.reader.list(listSlot, { nonEmpty: true });
  if (items === undefined) return undefined;
  const binds: Binding[] = [];
  const replies: SmtpExpect[] = [];
  for (const item of items) {
    if (isMap(item.node) && item.node.has("replies")) {
      ctx.reader.error(item.node, "a reply in 'replies' is one reply: 'replies' cannot nest");
      return undefined;
    }
    const read = readSmtpExpect(ctx, item, connection, protocol);
    if (read === undefined) return undefined;
    replies.push(read.expect);
    binds.push(...read.binds);
  }
  return { expect: { protocol: "smtp", code: [], replies, captures: [], span: ctx.reader.span(slot.node) }, binds };
}

function readCodes(ctx: TestContext, slot: Slot): string[] | undefined {
  if (isSeq(slot.node)) {
    const items = ctx.reader.list(slot, { nonEmpty: true });
    if (items === undefined) return undefined;
    const codes = items.map((item) => readCode(ctx, item));
    return codes.every((c) => c !== undefined) ? (codes as string[]) : undefined;
  }
  const code = readCode(ctx, slot);
  return code === undefined ? undefined : [code];
}

function readCode(ctx: TestContext, slot: Slot): string | undefined {
  const node = slot.node;
  // `expect: 250` is a YAML number, `expect: 2xx` a string: both are codes.
  const raw = isScalar(node) && (typeof node.value === "number" || typeof node.value === "string") ? String(node.value).toLowerCase() : undefined;
  if (raw === undefined) {
    ctx.reader.wrongType(slot, CODE_FORMS);
    return undefined;
  }
  if (!REPLY_CODE.test(raw)) {
    ctx.reader.error(node, `${slot.name} must be ${CODE_FORMS}, got '${String((node as { value: unknown }).value)}'`);
    return undefined;
  }
  return raw;
}
