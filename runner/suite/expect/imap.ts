// IMAP expectations: a status (OK / NO / BAD / PREAUTH / BYE / + for a
// continuation), or a map adding the response code, a text regex, untagged
// response rules written in IMAP syntax, their order and strictness, and
// captures. Produces ImapExpect for the IMAP matcher.
// Standards: RFC 3501 §7.1 (status responses, response codes), §2.2.2 (untagged data at any time); RFC 9051 §7.1.

import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { ImapExpect, ImapPattern, UntaggedRule } from "../../model/ast.ts";
import type { Slot } from "../node-reader.ts";
import type { TestContext } from "../test-context.ts";
import { foreignExpectKeyHint, IMAP_EXPECT_KEYS, IMAP_STATUSES, IMAP_TAGGED_STATUSES, UNTAGGED_MODES, UNTAGGED_RULE_KEYS } from "../vocabulary.ts";
import { readCaptures, type Binding, type ExpectRead } from "./capture.ts";
import { compileImapPattern } from "./imap-pattern.ts";

const MAX_COUNT = 1_000_000;

export function readImapExpect(ctx: TestContext, slot: Slot, connection: string): ExpectRead<ImapExpect> | undefined {
  const span = ctx.reader.span(slot.node);
  const binds: Binding[] = [];
  const expect: ImapExpect = { protocol: "imap", untagged: [], ordered: false, strict: false, captures: [], span };
  if (!isMap(slot.node)) {
    const status = ctx.reader.oneOf(slot, IMAP_STATUSES);
    if (status === undefined) return undefined;
    expect.status = status;
    return { expect, binds };
  }
  const entries = ctx.reader.map(slot, "an IMAP expectation", IMAP_EXPECT_KEYS, foreignExpectKeyHint("IMAP"));
  if (entries === undefined) return undefined;
  let ok = true;
  const status = entries.get("status");
  if (status !== undefined) {
    const value = isSeq(status.node) ? statusList(ctx, status) : ctx.reader.oneOf(status, IMAP_STATUSES);
    if (value === undefined) ok = false;
    else expect.status = value;
  }
  if (status === undefined && !entries.has("untagged")) {
    ctx.reader.error(slot.node, "an IMAP expectation needs 'status' (the tagged reply), 'untagged' (responses to wait for), or both");
    ok = false;
  }
  const code = entries.get("code");
  if (code !== undefined) {
    const value = pattern(ctx, code, connection, "code", binds);
    if (value === undefined) ok = false;
    else expect.code = value;
  }
  const codeIfPresent = entries.get("code-if-present");
  if (codeIfPresent !== undefined) {
    const value = pattern(ctx, codeIfPresent, connection, "code", binds);
    if (value === undefined) ok = false;
    else expect.codeIfPresent = value;
  }
  const text = entries.get("text");
  if (text !== undefined) {
    const regex = ctx.regex(text, connection);
    if (regex !== undefined) expect.text = regex;
  }
  const untagged = entries.get("untagged");
  if (untagged !== undefined) {
    for (const item of ctx.reader.list(untagged, { nonEmpty: true }) ?? []) {
      const rule = readRule(ctx, item, connection, binds);
      if (rule === undefined) ok = false;
      else expect.untagged.push(rule);
    }
  }
  const ordered = entries.get("ordered");
  if (ordered !== undefined) expect.ordered = ctx.reader.boolean(ordered) ?? false;
  const strict = entries.get("strict");
  if (strict !== undefined) expect.strict = ctx.reader.boolean(strict) ?? false;
  expect.captures = readCaptures(ctx, entries.get("capture"), connection, binds);
  const sequenceNumbers = entries.get("sequence-numbers");
  if (sequenceNumbers !== undefined) {
    // Names this step binds ($name in a pattern, or a capture): only a number read here can be followed from here on.
    const names: string[] = [];
    for (const item of ctx.reader.list(sequenceNumbers, { nonEmpty: true }) ?? []) {
      const name = isScalar(item.node) && typeof item.node.value === "string" ? item.node.value : undefined;
      if (name === undefined || !binds.some((b) => b.name === name)) {
        ctx.reader.error(item.node, `'sequence-numbers' lists names this step binds ($name in a pattern, or a capture); ${name === undefined ? "expected a name" : `'${name}' is not bound here`}`);
        ok = false;
      } else names.push(name);
    }
    if (names.length > 0) expect.sequenceNumbers = names;
  }
  return ok ? { expect, binds } : undefined;
}

/** `status: [NO, BAD]`: two or more distinct tagged statuses, any of which passes (where the RFC lets the server choose). */
function statusList(ctx: TestContext, slot: Slot): ("OK" | "NO" | "BAD")[] | undefined {
  const items = ctx.reader.list(slot, { nonEmpty: true });
  if (items === undefined) return undefined;
  const values = items.map((item) => ctx.reader.oneOf(item, IMAP_TAGGED_STATUSES));
  if (values.some((v) => v === undefined)) return undefined;
  const distinct = [...new Set(values as ("OK" | "NO" | "BAD")[])];
  if (distinct.length !== values.length || distinct.length < 2) {
    ctx.reader.error(slot.node, `a status list names two or more different tagged statuses (OK, NO, BAD), like [NO, BAD]; for one status write it alone`);
    return undefined;
  }
  return distinct;
}

function readRule(ctx: TestContext, slot: Slot, connection: string, binds: Binding[]): UntaggedRule | undefined {
  const span = ctx.reader.span(slot.node);
  if (isScalar(slot.node) && typeof slot.node.value === "string") {
    const match = pattern(ctx, slot, connection, "untagged", binds);
    return match === undefined ? undefined : { pattern: match, mode: "must", span };
  }
  if (!isMap(slot.node)) {
    ctx.reader.wrongType(slot, `a pattern like "* 1 EXISTS" or a map with 'match'`);
    return undefined;
  }
  const entries = ctx.reader.map(slot, "an untagged rule", UNTAGGED_RULE_KEYS);
  if (entries === undefined) return undefined;
  const matchSlot = entries.get("match");
  const match = matchSlot === undefined ? undefined : pattern(ctx, matchSlot, connection, "untagged", binds);
  const modeSlot = entries.get("mode");
  const mode = modeSlot === undefined ? "must" : ctx.reader.oneOf(modeSlot, UNTAGGED_MODES);
  const countSlot = entries.get("count");
  const count = countSlot === undefined ? undefined : ctx.reader.integer(countSlot, 1, MAX_COUNT);
  if (countSlot !== undefined && mode !== undefined && mode !== "must") {
    ctx.reader.error(countSlot.at, `'count' applies to mode 'must' only (mode 'not' means none; 'may' means any number)`);
    return undefined;
  }
  if (match === undefined || mode === undefined || (countSlot !== undefined && count === undefined)) return undefined;
  const rule: UntaggedRule = { pattern: match, mode, span };
  if (count !== undefined) rule.count = count;
  return rule;
}

/** An IMAP pattern, compiled: a template whose `$name` placeholders bind for later steps. */
function pattern(ctx: TestContext, slot: Slot, connection: string, kind: "untagged" | "code", binds: Binding[]): ImapPattern | undefined {
  const written = ctx.template(slot, connection);
  if (written === undefined) return undefined;
  const read = compileImapPattern(written, kind);
  if (read.problem !== undefined) {
    ctx.reader.error(ctx.offsetInValue(slot.node, written.text, read.problem.offset), read.problem.message);
    return undefined;
  }
  for (const name of read.names) binds.push({ name, node: slot.node as Node | null });
  return read.pattern;
}
