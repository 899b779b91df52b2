// The suite language's either/or: `expect: { one-of: [...] }` reads one reply
// and takes the first alternative it matches, running that alternative's
// `then` steps; `if: { same: [A, B], then, else }` chooses by two resolved
// values (captures). What a branch binds stays inside it: a later step cannot
// depend on a branch that may not have run.
// Standards: none (suite language, docs/language.md "Branches"); the places it serves: RFC 5321 §4.1.4 (a later
// EHLO accepted or refused), RFC 6409 §6.3 (a message fixed up or refused), RFC 8474 §4, RFC 9208 §4.1.2.

import { isMap, isSeq, YAMLMap, type Node } from "yaml";
import type { IfStep, OneOfStep, Protocol, ReplyBranch, Span, Step, Template } from "../model/ast.ts";
import type { Binding, ExpectRead } from "./expect/capture.ts";
import type { Slot } from "./node-reader.ts";
import type { TestContext } from "./test-context.ts";
import { BRANCH_THEN_KEY, IF_KEYS, ONE_OF_KEYS } from "./vocabulary.ts";

type Base = { on: string; span: Span };

/** What the branch readers need of read-steps.ts, handed in so the two modules import one way only. */
export interface StepReaders {
  readSteps(ctx: TestContext, slot: Slot, options: { nonEmpty?: boolean }): Step[];
  readExpectation(ctx: TestContext, slot: Slot, on: string, protocol: Protocol): ExpectRead<ReplyBranch["expect"]> | undefined;
  bindAll(ctx: TestContext, binds: Binding[]): void;
}

/** IMAP statuses an alternative may name: each is the answer to the pending command (a completion or a continuation). */
const IMAP_BRANCH_STATUSES = new Set(["OK", "NO", "BAD", "+"]);

/**
 * The alternative's map without its `then`, for the protocol's expectation
 * reader (which knows no `then`); the nodes are the file's own, so every
 * error keeps its position.
 */
function withoutThen(node: YAMLMap): YAMLMap {
  const view = new YAMLMap();
  view.items = node.items.filter((pair) => !(pair.key !== null && typeof pair.key === "object" && "value" in pair.key && pair.key.value === BRANCH_THEN_KEY));
  view.range = node.range;
  view.flow = node.flow;
  return view;
}

function thenOf(ctx: TestContext, node: YAMLMap): Slot | undefined {
  const pair = node.items.find((p) => p.key !== null && typeof p.key === "object" && "value" in p.key && p.key.value === BRANCH_THEN_KEY);
  if (pair === undefined) return undefined;
  const at = ctx.reader.resolve(pair.key);
  return { node: ctx.reader.resolve(pair.value), name: `'${BRANCH_THEN_KEY}'`, at };
}

export function readOneOf(readers: StepReaders, ctx: TestContext, slot: Slot, on: string, protocol: Protocol, base: Base): Step | undefined {
  const { reader } = ctx;
  const entries = reader.map(slot, "an 'expect' with 'one-of'", ONE_OF_KEYS, (key) => `'one-of' stands alone in its 'expect'; '${key}' belongs inside one of its alternatives`);
  const listSlot = entries?.get("one-of");
  if (entries === undefined || listSlot === undefined) return undefined;
  const items = reader.list(listSlot, { nonEmpty: true });
  if (items === undefined) return undefined;
  if (items.length < 2) {
    reader.error(listSlot.node, "'one-of' needs two or more alternatives; with one, write that expectation itself");
    return undefined;
  }
  const branches: ReplyBranch[] = [];
  let ok = true;
  for (const item of items) {
    const branch = ctx.scoped(() => readBranch(readers, ctx, item, on, protocol));
    if (branch === undefined) ok = false;
    else branches.push(branch);
  }
  if (!ok) return undefined;
  if (protocol === "pop3" && !pop3FramingAgrees(ctx, branches, items)) return undefined;
  const step: OneOfStep = { kind: "one-of", branches, ...base };
  return step;
}

function readBranch(readers: StepReaders, ctx: TestContext, item: Slot, on: string, protocol: Protocol): ReplyBranch | undefined {
  const { reader } = ctx;
  const node = item.node;
  const thenSlot = isMap(node) ? thenOf(ctx, node) : undefined;
  const expectSlot: Slot = isMap(node) && thenSlot !== undefined ? { ...item, node: withoutThen(node) } : item;
  if (isMap(node) && (node.has("one-of") || node.has("replies"))) {
    const key = node.has("one-of") ? "one-of" : "replies";
    reader.error(node, `an alternative of 'one-of' is one reply's expectation: '${key}' cannot go inside it`);
    return undefined;
  }
  const read = readers.readExpectation(ctx, expectSlot, on, protocol);
  if (read === undefined) return undefined;
  const expect = read.expect;
  if (expect.protocol === "imap") {
    // Every alternative reads the same response: the pending command's completion (or its continuation request).
    const statuses = expect.status === undefined ? [] : Array.isArray(expect.status) ? expect.status : [expect.status];
    if (statuses.length === 0 || statuses.some((s) => !IMAP_BRANCH_STATUSES.has(s))) {
      reader.error(node, "an IMAP alternative of 'one-of' needs a 'status' of OK, NO, BAD or + (the answer to the pending command)");
      return undefined;
    }
  }
  readers.bindAll(ctx, read.binds);
  const then = thenSlot === undefined ? [] : readers.readSteps(ctx, thenSlot, { nonEmpty: true });
  if (thenSlot !== undefined && then.length === 0) return undefined;
  return { expect, then, span: reader.span(node) };
}

/**
 * A POP3 +OK reply is one line or a multiline body by the command, not by
 * anything on the wire (RFC 1939 §3): the +OK alternatives must agree on it.
 */
function pop3FramingAgrees(ctx: TestContext, branches: ReplyBranch[], items: Slot[]): boolean {
  const multiline = branches.map((b) => (b.expect.protocol === "pop3" && b.expect.status === "+OK" ? b.expect.multiline : undefined));
  const first = multiline.find((m) => m !== undefined);
  const clash = multiline.findIndex((m) => m !== undefined && m !== first);
  if (clash === -1) return true;
  ctx.reader.error(items[clash]!.node, "the +OK alternatives of 'one-of' disagree on 'multiline': the command decides whether +OK carries a body (RFC 1939 §3)");
  return false;
}

export function readIf(readers: StepReaders, ctx: TestContext, slot: Slot, on: string, base: Base): Step | undefined {
  const { reader } = ctx;
  const entries = reader.map(slot, "'if'", IF_KEYS);
  if (entries === undefined) return undefined;
  const sameSlot = entries.get("same");
  let same: [Template, Template] | undefined;
  if (sameSlot !== undefined) {
    const items = isSeq(sameSlot.node) ? reader.list(sameSlot) : undefined;
    if (items === undefined || items.length !== 2) {
      reader.error((sameSlot.node ?? sameSlot.at) as Node | null, "'same' is a list of two values to compare, like [\"${uidvalidity1}\", \"${uidvalidity2}\"]");
    } else {
      const [a, b] = items.map((item) => ctx.template(item, on));
      if (a !== undefined && b !== undefined) same = [a, b];
    }
  }
  const thenSlot = entries.get("then");
  const then = thenSlot === undefined ? [] : ctx.scoped(() => readers.readSteps(ctx, thenSlot, { nonEmpty: true }));
  const elseSlot = entries.get("else");
  const otherwise = elseSlot === undefined ? [] : ctx.scoped(() => readers.readSteps(ctx, elseSlot, { nonEmpty: true }));
  // An unknown key (`than:`) has already said what is wrong.
  if (thenSlot === undefined && elseSlot === undefined && isMap(slot.node) && slot.node.items.length === entries.size) {
    reader.error(slot.node, "'if' needs 'then' (steps run when the values are the same), 'else' (when they differ), or both");
    return undefined;
  }
  if (thenSlot === undefined && elseSlot === undefined) return undefined;
  if (same === undefined || (thenSlot !== undefined && then.length === 0) || (elseSlot !== undefined && otherwise.length === 0)) return undefined;
  const step: IfStep = { kind: "if", same, then, else: otherwise, ...base };
  return step;
}
