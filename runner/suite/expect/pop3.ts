// POP3 expectations: "+OK" / "-ERR", or a map adding an RFC 2449 response
// code, a text regex, and a multiline body checked byte-exact against content,
// by line count, by size in octets, by line regexes or by first words. Produces Pop3Expect.
// Standards: RFC 1939 §3 (status indicators, multiline responses), RFC 2449 §8 (response codes).

import { isMap, isScalar } from "yaml";
import type { Pop3Expect } from "../../model/ast.ts";
import type { Slot } from "../node-reader.ts";
import type { TestContext } from "../test-context.ts";
import { CONTENT_KEYS, foreignExpectKeyHint, POP3_BODY_KEYS, POP3_EXPECT_KEYS, POP3_STATUSES } from "../vocabulary.ts";
import { readCaptures, type Binding, type ExpectRead } from "./capture.ts";
import { readContent } from "./content.ts";
import { readLineSet } from "./line-set.ts";
import { compileTemplate } from "../template.ts";

/** resp-code = "[" resp-level *("/" resp-level) "]" (RFC 2449 §8), written without brackets. */
const RESPONSE_CODE = /^[A-Za-z0-9-]+(?:\/[A-Za-z0-9-]+)*$/;
const MAX_BODY_LINES = 1_000_000;

export function readPop3Expect(ctx: TestContext, slot: Slot, connection: string): ExpectRead<Pop3Expect> | undefined {
  const span = ctx.reader.span(slot.node);
  const binds: Binding[] = [];
  if (!isMap(slot.node)) {
    const status = ctx.reader.oneOf(slot, POP3_STATUSES);
    return status === undefined ? undefined : { expect: { protocol: "pop3", status, multiline: false, captures: [], span }, binds };
  }
  const entries = ctx.reader.map(slot, "a POP3 expectation", POP3_EXPECT_KEYS, foreignExpectKeyHint("POP3"));
  if (entries === undefined) return undefined;
  const statusSlot = entries.get("status");
  const status = statusSlot === undefined ? undefined : ctx.reader.oneOf(statusSlot, POP3_STATUSES);
  const expect: Pop3Expect = { protocol: "pop3", status: status ?? "+OK", multiline: false, captures: [], span };
  let ok = status !== undefined;
  const code = entries.get("code");
  if (code !== undefined) {
    const value = ctx.reader.string(code);
    if (value !== undefined && !RESPONSE_CODE.test(value)) {
      ctx.reader.error(code.node, `'code' must be an RFC 2449 response code without brackets, like IN-USE or SYS/TEMP, got '${value}'`);
      ok = false;
    } else if (value !== undefined) {
      expect.code = value;
    }
  }
  const text = entries.get("text");
  if (text !== undefined) {
    const regex = ctx.regex(text, connection);
    if (regex !== undefined) expect.text = regex;
  }
  const multiline = entries.get("multiline");
  const multilineValue = multiline === undefined ? undefined : ctx.reader.boolean(multiline);
  const bodySlot = entries.get("body");
  if (bodySlot !== undefined && multilineValue === false) {
    ctx.reader.error(multiline!.node, "a 'body' is only read from a multiline response; drop 'multiline: false'");
    ok = false;
  }
  // A body check implies the multiline response it checks.
  expect.multiline = multilineValue ?? bodySlot !== undefined;
  if (bodySlot !== undefined) {
    const body = ctx.reader.map(bodySlot, "'body'", POP3_BODY_KEYS);
    if (body !== undefined) {
      const read: NonNullable<Pop3Expect["body"]> = { matches: [] };
      const equals = body.get("equals");
      if (equals !== undefined) {
        const content = ctx.reader.map(equals, "'equals'", CONTENT_KEYS);
        const source = content === undefined ? undefined : readContent(ctx, equals, content, connection);
        if (source !== undefined) read.equals = source;
      }
      const afterTrace = body.get("equals-after-trace");
      if (afterTrace !== undefined) {
        const content = ctx.reader.map(afterTrace, "'equals-after-trace'", CONTENT_KEYS);
        const source = content === undefined ? undefined : readContent(ctx, afterTrace, content, connection);
        if (source !== undefined) read.equalsAfterTrace = source;
      }
      const lines = body.get("lines");
      if (lines !== undefined) {
        const count = ctx.reader.integer(lines, 0, MAX_BODY_LINES);
        if (count !== undefined) read.lineCount = count;
      }
      const octets = body.get("octets");
      if (octets !== undefined) {
        // A literal size, or a template resolved at run time (a size captured from LIST or STAT).
        if (isScalar(octets.node) && typeof octets.node.value === "number") {
          const n = ctx.reader.integer(octets, 0, Number.MAX_SAFE_INTEGER);
          if (n !== undefined) read.octets = compileTemplate(String(n));
        } else {
          const value = ctx.template(octets, connection);
          if (value !== undefined) read.octets = value;
        }
      }
      const matches = body.get("matches");
      if (matches !== undefined) {
        for (const item of ctx.reader.list(matches, { nonEmpty: true }) ?? []) {
          const regex = ctx.regex(item, connection);
          if (regex !== undefined) read.matches.push(regex);
        }
      }
      const notMatches = body.get("not-matches");
      if (notMatches !== undefined) {
        read.notMatches = [];
        for (const item of ctx.reader.list(notMatches, { nonEmpty: true }) ?? []) {
          const regex = ctx.regex(item, connection);
          if (regex !== undefined) read.notMatches.push(regex);
        }
      }
      const set = readLineSet(ctx, body.get("includes"), body.get("excludes"), connection);
      if (set !== undefined) read.lines = set;
      expect.body = read;
    }
  }
  expect.captures = readCaptures(ctx, entries.get("capture"), connection, binds);
  return ok ? { expect, binds } : undefined;
}
