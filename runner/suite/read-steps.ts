// Steps: each YAML step is a map with exactly one action key (send, expect,
// data, ...) and an optional `on:` naming the connection. Reads them in
// order so that captures bind for the steps that follow, and produces the
// Step nodes of runner/model/ast.ts for the executor.
// Standards: RFC 5321 §4.1 (SMTP commands), RFC 1939 §3, RFC 3501 §2.2 / RFC 7888 (literals), RFC 4954 / 5034 / 3501 §6.2.2 (AUTH).

import { isMap, isScalar, type Node } from "yaml";
import type { AuthStep, Protocol, RetryStep, SendStep, Step, Template } from "../model/ast.ts";
import { isTag } from "../../wire/imap-syntax.ts";
import { readContent } from "./expect/content.ts";
import type { Binding, ExpectRead } from "./expect/capture.ts";
import { readImapExpect } from "./expect/imap.ts";
import { readPop3Expect } from "./expect/pop3.ts";
import { readSmtpExpect } from "./expect/smtp.ts";
import { readIf, readOneOf, type StepReaders } from "./read-branches.ts";
import type { Slot } from "./node-reader.ts";
import { compileTemplate } from "./template.ts";
import type { TestContext } from "./test-context.ts";
import {
  AUTH_KEYS,
  AUTH_MECHANISMS,
  AUTH_OUTCOMES,
  SCRAM_CHANNEL_BINDINGS,
  SCRAM_TAMPERS,
  CONNECT_KEYS,
  DATA_KEYS,
  LITERAL_KEYS,
  LOCATE_KEYS,
  DEFAULT_INJECT_SILENCE_MS,
  DEFAULT_RETRY_EVERY_MS,
  DEFAULT_RETRY_WITHIN_MS,
  MAX_REPEAT_TIMES,
  MAX_RETRY_WITHIN_MS,
  MAX_WAIT_MS,
  REPEAT_KEYS,
  RETRY_KEYS,
  STARTTLS_KEYS,
  SEND_KEYS,
  SEND_TAG_MODES,
  STEP_ACTIONS,
  STEP_KEYS,
  type StepAction,
} from "./vocabulary.ts";

const PROTOCOL_NAMES: Record<Protocol, string> = { smtp: "SMTP", pop3: "POP3", imap: "IMAP", lmtp: "LMTP" };
/** `data: fixtures/x.eml` reads like a path but is inline text: the sketch in DESIGN.md used that form. */
const LOOKS_LIKE_PATH = /^[\w./-]+\.(?:eml|txt|msg|mime)$/;

/** Handed to the branch readers (read-branches.ts), which read steps and expectations inside one-of and if. */
const STEP_READERS: StepReaders = { readSteps: (ctx, slot, options) => readSteps(ctx, slot, options), readExpectation: (...args) => readExpectation(...args), bindAll: (...args) => bindAll(...args) };

export function readSteps(ctx: TestContext, slot: Slot, options: { nonEmpty?: boolean } = {}): Step[] {
  const items = ctx.reader.list(slot, options) ?? [];
  const steps: Step[] = [];
  for (const item of items) {
    const step = readStep(ctx, item);
    if (step !== undefined) steps.push(step);
  }
  return steps;
}

function readStep(ctx: TestContext, slot: Slot): Step | undefined {
  const { reader } = ctx;
  if (isScalar(slot.node) && typeof slot.node.value === "string") {
    reader.error(slot.node, "a step is a map with one action, like 'send: ...' or 'expect: ...'", { suggestion: `send: ${slot.node.value}` });
    return undefined;
  }
  const node = slot.node;
  const entries = reader.map(slot, "a step", STEP_KEYS);
  if (entries === undefined || !isMap(node)) return undefined;
  const actions = [...entries.keys()].filter((key): key is StepAction => (STEP_ACTIONS as readonly string[]).includes(key));
  if (actions.length === 0) {
    // An unknown key already said what is wrong (`expct: 250`); "no action" would repeat it.
    if (node.items.length === entries.size) reader.error(node, `a step needs one action: ${STEP_ACTIONS.join(", ")}`);
    return undefined;
  }
  if (actions.length > 1) {
    reader.error(entries.get(actions[1]!)!.at, `one action per step: '${actions[0]}' and '${actions[1]}' are both here; split them into two steps`);
    return undefined;
  }
  const action = actions[0]!;
  const on = ctx.connection(entries.get("on"));
  const value = entries.get(action)!;
  const base = { on, span: reader.span(node) };
  const protocol = ctx.protocolOf(on);
  switch (action) {
    case "send":
      return readSend(ctx, value, on, protocol, base);
    case "raw": {
      const bytes = ctx.template(value, on);
      if (bytes?.text === "") reader.error(value.node, "'raw' must not be empty");
      return bytes && bytes.text !== "" ? { kind: "raw", bytes, ...base } : undefined;
    }
    case "data":
      return readData(ctx, value, on, protocol, base);
    case "starttls":
      return readStartTls(ctx, value, on, base);
    case "auth": {
      const step = readAuth(ctx, value, on, base);
      // APOP is a POP3 command, not a SASL mechanism (RFC 1939 §7): no other framing knows it.
      if (step?.kind === "auth" && step.mechanism === "APOP" && protocol !== "pop3") {
        reader.error(value.node, `APOP is a POP3 command (RFC 1939 §7); connection '${on}' speaks ${protocol}`);
        return undefined;
      }
      return step;
    }
    case "expect":
      return readExpect(ctx, value, on, protocol, base);
    case "locate":
      return readLocate(ctx, value, on, protocol, base);
    case "silence":
    case "wait": {
      const ms = reader.integer(value, 1, MAX_WAIT_MS);
      if (ms === undefined) return undefined;
      return action === "wait" ? { kind: "wait", ms, ...base } : { kind: "expect-silence", ms, ...base };
    }
    case "connect": {
      if (!isMap(value.node)) return reader.justTrue(value) ? { kind: "connect", greeting: true, ...base } : undefined;
      const options = reader.map(value, "'connect'", CONNECT_KEYS);
      const greeting = options?.get("greeting");
      const read = greeting === undefined ? true : reader.boolean(greeting);
      return read === undefined || options === undefined ? undefined : { kind: "connect", greeting: read, ...base };
    }
    case "close":
      return reader.justTrue(value) ? { kind: "close", ...base } : undefined;
    case "repeat":
      return readRepeat(ctx, value, base);
    case "retry":
      return readRetry(ctx, value, base);
    case "may-close": {
      const steps = readSteps(ctx, value, { nonEmpty: true });
      return steps.length === 0 ? undefined : { kind: "may-close", steps, ...base };
    }
    case "if":
      return readIf(STEP_READERS, ctx, value, on, base);
  }
}

/** `starttls: true`, or `starttls: { inject: LINE, silence: MS }` for the command injection check. */
function readStartTls(ctx: TestContext, slot: Slot, on: string, base: Base): Step | undefined {
  const { reader } = ctx;
  if (!isMap(slot.node)) return reader.justTrue(slot) ? { kind: "starttls", ...base } : undefined;
  const entries = reader.map(slot, "'starttls'", STARTTLS_KEYS);
  if (entries === undefined) return undefined;
  const injectSlot = entries.get("inject");
  const line = injectSlot === undefined ? undefined : commandLine(ctx, injectSlot, on);
  if (line?.text === "") reader.error(injectSlot!.node, "'inject' must be a command line, like RSET or NOOP");
  const silenceSlot = entries.get("silence");
  const silenceMs = silenceSlot === undefined ? DEFAULT_INJECT_SILENCE_MS : reader.integer(silenceSlot, 1, MAX_WAIT_MS);
  if (!line || line.text === "" || silenceMs === undefined) return undefined;
  return { kind: "starttls", inject: { line, silenceMs }, ...base };
}

type Base = { on: string; span: Step["span"] };

function readSend(ctx: TestContext, slot: Slot, on: string, protocol: Protocol, base: Base): Step | undefined {
  const { reader } = ctx;
  if (!isMap(slot.node)) {
    const line = commandLine(ctx, slot, on);
    return line === undefined ? undefined : { kind: "send", line, ...base };
  }
  const entries = reader.map(slot, "'send'", SEND_KEYS);
  if (entries === undefined) return undefined;
  const lineSlot = entries.get("line");
  const line = lineSlot === undefined ? undefined : commandLine(ctx, lineSlot, on);
  const step: SendStep = { kind: "send", line: line ?? compileTemplate(""), ...base };
  let ok = line !== undefined;
  for (const key of ["tag", "literal"] as const) {
    const entry = entries.get(key);
    if (entry !== undefined && protocol !== "imap") {
      reader.error(entry.at, `'${key}' applies to IMAP connections only; this step runs on ${PROTOCOL_NAMES[protocol]}`);
      ok = false;
    }
  }
  const tag = entries.get("tag");
  if (tag !== undefined && protocol === "imap") {
    // Besides auto / none, a tag written out is sent as is (tag syntax tests).
    const text = isScalar(tag.node) && typeof tag.node.value === "string" ? tag.node.value : undefined;
    if (text !== undefined && !(SEND_TAG_MODES as readonly string[]).includes(text)) {
      if (isTag(text)) step.tag = { fixed: text };
      else {
        reader.error(tag.node, `tag must be auto, none or an IMAP tag (printable ASCII but ( ) { % * " \\ + and space), got '${text}'`);
        ok = false;
      }
    } else {
      const mode = reader.oneOf(tag, SEND_TAG_MODES);
      if (mode === undefined) ok = false;
      else step.tag = mode;
    }
  }
  const literal = entries.get("literal");
  if (literal !== undefined && protocol === "imap") {
    const read = readLiteral(ctx, literal, on);
    if (read === undefined) ok = false;
    else step.literal = read;
  }
  return ok ? step : undefined;
}

/** A command line: one line, CRLF added by the runner; control bytes belong in `raw`. */
function commandLine(ctx: TestContext, slot: Slot, on: string): Template | undefined {
  const line = ctx.template(slot, on);
  if (line !== undefined && /[\r\n]/.test(line.text)) {
    ctx.reader.error(slot.node, `${slot.name} must be one line (the runner adds CRLF); use 'raw' to send line breaks exactly`);
    return undefined;
  }
  return line;
}

function readLiteral(ctx: TestContext, slot: Slot, on: string): SendStep["literal"] | undefined {
  const entries = ctx.reader.map(slot, "'literal'", LITERAL_KEYS);
  if (entries === undefined) return undefined;
  const source = readContent(ctx, slot, entries, on);
  const syncSlot = entries.get("sync");
  const sync = syncSlot === undefined ? true : ctx.reader.boolean(syncSlot);
  const binarySlot = entries.get("binary");
  const binary = binarySlot === undefined ? false : ctx.reader.boolean(binarySlot);
  const afterSlot = entries.get("after");
  const after = afterSlot === undefined ? compileTemplate("") : commandLine(ctx, afterSlot, on);
  if (source === undefined || sync === undefined || binary === undefined || after === undefined) return undefined;
  return binary ? { source, sync, binary, after } : { source, sync, after };
}

function readData(ctx: TestContext, slot: Slot, on: string, protocol: Protocol, base: Base): Step | undefined {
  const { reader } = ctx;
  if (protocol !== "smtp" && protocol !== "lmtp") {
    const hint = protocol === "imap" ? "use 'send' with a 'literal'" : "POP3 has no client-side message content";
    reader.error(slot.at, `'data' is SMTP message content; this step runs on ${PROTOCOL_NAMES[protocol]} (${hint})`);
    return undefined;
  }
  if (!isMap(slot.node)) {
    const text = ctx.template(slot, on);
    if (text === undefined) return undefined;
    if (LOOKS_LIKE_PATH.test(text.text.trim())) {
      reader.error(slot.node, `a string under 'data' is sent as the message text itself; for a fixture write 'data: { file: ${text.text.trim()} }'`);
      return undefined;
    }
    return { kind: "data", source: { kind: "text", text }, raw: false, ...base };
  }
  const entries = reader.map(slot, "'data'", DATA_KEYS);
  if (entries === undefined) return undefined;
  const source = readContent(ctx, slot, entries, on);
  const rawSlot = entries.get("raw");
  const raw = rawSlot === undefined ? false : reader.boolean(rawSlot);
  return source === undefined || raw === undefined ? undefined : { kind: "data", source, raw, ...base };
}

function readAuth(ctx: TestContext, slot: Slot, on: string, base: Base): Step | undefined {
  const { reader } = ctx;
  if (!isMap(slot.node)) {
    const mechanism = mechanismOf(ctx, slot);
    if (mechanism === undefined) return undefined;
    ctx.needsUserOf(on);
    return { kind: "auth", mechanism, initialResponse: false, outcome: "success", ...base };
  }
  const entries = reader.map(slot, "'auth'", AUTH_KEYS);
  if (entries === undefined) return undefined;
  const mechanismSlot = entries.get("mechanism");
  const mechanism = mechanismSlot === undefined ? undefined : mechanismOf(ctx, mechanismSlot);
  const step: AuthStep = { kind: "auth", mechanism: mechanism ?? "PLAIN", initialResponse: false, outcome: "success", ...base };
  let ok = mechanism !== undefined;
  for (const key of ["login", "password"] as const) {
    const entry = entries.get(key);
    if (entry === undefined) continue;
    const value = ctx.template(entry, on);
    if (value === undefined) ok = false;
    else step[key] = value;
  }
  if (step.login === undefined || step.password === undefined) ctx.needsUserOf(on);
  const initial = entries.get("initial-response");
  if (initial !== undefined) {
    const value = reader.boolean(initial);
    if (value === undefined) ok = false;
    else step.initialResponse = value;
  }
  const outcome = entries.get("outcome");
  if (outcome !== undefined) {
    const value = reader.oneOf(outcome, AUTH_OUTCOMES);
    if (value === undefined) ok = false;
    else step.outcome = value;
  }
  if (step.initialResponse && mechanism === "CRAM-MD5") {
    // RFC 2195 §2: the server speaks first with its challenge.
    reader.error(initial!.node, "CRAM-MD5 has no initial response: the server sends the first challenge (RFC 2195 §2)");
    ok = false;
  }
  if (mechanism === "APOP" && (step.initialResponse || step.outcome === "cancel")) {
    // One command line, no challenge: nothing to send first and nothing to cancel.
    reader.error((step.initialResponse ? initial : outcome)!.node, "APOP is a single command with no challenge: 'initial-response' and 'cancel' do not apply");
    ok = false;
  }
  // SCRAM's negative-test options (RFC 5802 §6, §5.1): only where the mechanism is SCRAM.
  const scram = mechanism?.startsWith("SCRAM-") === true;
  const plus = mechanism?.endsWith("-PLUS") === true;
  const scramOption = <V extends string>(key: string, values: readonly V[]): V | undefined => {
    const entry = entries.get(key);
    if (entry === undefined || mechanism === undefined) return undefined;
    if (!scram) {
      reader.error(entry.node, `'${key}' applies to SCRAM-SHA-1, SCRAM-SHA-256 and their -PLUS variants only (RFC 5802)`);
      ok = false;
      return undefined;
    }
    const value = reader.oneOf(entry, values);
    if (value === undefined) ok = false;
    return value;
  };
  const channelBinding = scramOption("channel-binding", SCRAM_CHANNEL_BINDINGS);
  if (channelBinding !== undefined && plus) {
    // RFC 5802 §6: a -PLUS mechanism is the one that binds, always with "p=" and the channel's type.
    reader.error(entries.get("channel-binding")!.node, `'channel-binding' applies to SCRAM without -PLUS; ${mechanism} always sends "p=" with the TLS session's type`);
    ok = false;
  } else if (channelBinding !== undefined) step.channelBinding = channelBinding;
  const tamper = scramOption("tamper", SCRAM_TAMPERS);
  if (tamper === "channel-binding" && !plus) {
    reader.error(entries.get("tamper")!.node, "'tamper: channel-binding' alters the binding data, which only a -PLUS mechanism sends");
    ok = false;
  } else if (tamper !== undefined) step.tamper = tamper;
  if (step.initialResponse && step.outcome === "cancel" && mechanism === "PLAIN") {
    reader.error(outcome!.node, "'cancel' answers the first challenge with '*', but PLAIN with an initial response gets no challenge; drop 'initial-response'");
    ok = false;
  }
  return ok ? step : undefined;
}

function mechanismOf(ctx: TestContext, slot: Slot): AuthStep["mechanism"] | undefined {
  // SASL mechanism names are case-insensitive (RFC 4422 §3.1): accept `plain`.
  const node = slot.node;
  if (isScalar(node) && typeof node.value === "string" && (AUTH_MECHANISMS as readonly string[]).includes(node.value.toUpperCase())) {
    return node.value.toUpperCase() as AuthStep["mechanism"];
  }
  return ctx.reader.oneOf(slot, AUTH_MECHANISMS);
}

function readExpect(ctx: TestContext, slot: Slot, on: string, protocol: Protocol, base: Base): Step | undefined {
  if (isScalar(slot.node) && slot.node.value === "closed") return { kind: "expect-closed", ...base };
  if (isMap(slot.node) && slot.node.has("one-of")) return readOneOf(STEP_READERS, ctx, slot, on, protocol, base);
  const read = readExpectation(ctx, slot, on, protocol);
  if (read === undefined) return undefined;
  bindAll(ctx, read.binds);
  return { kind: "expect", expect: read.expect, ...base };
}

/** An expectation in the form of the connection's protocol, its captures not yet bound. */
function readExpectation(ctx: TestContext, slot: Slot, on: string, protocol: Protocol): ExpectRead<Extract<Step, { kind: "expect" }>["expect"]> | undefined {
  if (protocol === "smtp" || protocol === "lmtp") return readSmtpExpect(ctx, slot, on, protocol);
  if (protocol === "pop3") return readPop3Expect(ctx, slot, on);
  return readImapExpect(ctx, slot, on);
}

/**
 * `locate: { header: REGEX, capture: NAME }` on a POP3 connection: binds NAME
 * to the number of the message whose header has a field matching REGEX
 * (runner/protocols/pop3/locate.ts).
 */
function readLocate(ctx: TestContext, slot: Slot, on: string, protocol: Protocol, base: Base): Step | undefined {
  const { reader } = ctx;
  if (protocol !== "pop3") {
    const hint = protocol === "imap" ? "; IMAP finds a message with SEARCH HEADER" : "";
    reader.error(slot.at, `'locate' finds a message in a POP3 maildrop; this step runs on ${PROTOCOL_NAMES[protocol]}${hint}`);
    return undefined;
  }
  if (isScalar(slot.node) && typeof slot.node.value === "string") {
    reader.error(slot.node, "'locate' is a map: { header: REGEX, capture: NAME }, NAME the variable the message's number is bound to");
    return undefined;
  }
  const entries = reader.map(slot, "'locate'", LOCATE_KEYS);
  if (entries === undefined) return undefined;
  const headerSlot = entries.get("header");
  const header = headerSlot === undefined ? undefined : ctx.regex(headerSlot, on);
  if (header?.text === "") reader.error(headerSlot!.node, "'header' must not be empty: it would match any message");
  const captureSlot = entries.get("capture");
  const name = captureSlot === undefined ? undefined : reader.word(captureSlot);
  // Bound after the pattern is read: the pattern cannot refer to the number it finds.
  const bound = name !== undefined && ctx.bind(name, captureSlot!.node, "capture");
  if (header === undefined || header.text === "" || !bound) return undefined;
  return { kind: "locate", header, capture: name!, ...base };
}

function bindAll(ctx: TestContext, binds: Binding[]): void {
  for (const { name, node } of binds) ctx.bind(name, node, "capture");
}

/** Inside a retry's steps: a nested retry would multiply the windows, so it is refused. */
let retryDepth = 0;

function readRetry(ctx: TestContext, slot: Slot, base: Base): Step | undefined {
  const { reader } = ctx;
  const entries = reader.map(slot, "'retry'", RETRY_KEYS);
  if (entries === undefined) return undefined;
  if (retryDepth > 0) {
    reader.error(slot.at, "a retry inside a retry: the inner one's window would run again on every outer attempt; retry once, around all the steps");
    return undefined;
  }
  const withinSlot = entries.get("within");
  const withinMs = withinSlot === undefined ? DEFAULT_RETRY_WITHIN_MS : reader.integer(withinSlot, 1, MAX_RETRY_WITHIN_MS);
  const everySlot = entries.get("every");
  const everyMs = everySlot === undefined ? Math.min(DEFAULT_RETRY_EVERY_MS, withinMs ?? DEFAULT_RETRY_EVERY_MS) : reader.integer(everySlot, 1, MAX_RETRY_WITHIN_MS);
  if (withinMs !== undefined && everyMs !== undefined && everyMs > withinMs) {
    reader.error(everySlot!.node, `'every' (${everyMs} ms) is longer than 'within' (${withinMs} ms): there would be no second attempt`);
    return undefined;
  }
  const stepsSlot = entries.get("steps");
  retryDepth++;
  let steps: Step[];
  try {
    steps = stepsSlot === undefined ? [] : readSteps(ctx, stepsSlot, { nonEmpty: true });
  } finally {
    retryDepth--;
  }
  if (withinMs === undefined || everyMs === undefined || stepsSlot === undefined || steps.length === 0) return undefined;
  const step: RetryStep = { kind: "retry", withinMs, everyMs, steps, ...base };
  return step;
}

function readRepeat(ctx: TestContext, slot: Slot, base: Base): Step | undefined {
  const { reader } = ctx;
  const entries = reader.map(slot, "'repeat'", REPEAT_KEYS);
  if (entries === undefined) return undefined;
  const timesSlot = entries.get("times");
  const times = timesSlot === undefined ? undefined : reader.integer(timesSlot, 1, MAX_REPEAT_TIMES);
  const asSlot = entries.get("as");
  const as = asSlot === undefined ? "i" : reader.word(asSlot);
  let bound = false;
  if (as !== undefined) {
    if (ctx.isBound(as)) {
      reader.error(asSlot?.node ?? slot.node, `'as: ${as}' would hide the variable '${as}' bound earlier; pick another name`);
    } else {
      bound = ctx.bind(as, (asSlot?.node ?? slot.node) as Node | null, "repeat counter");
    }
  }
  const stepsSlot = entries.get("steps");
  const steps = stepsSlot === undefined ? [] : readSteps(ctx, stepsSlot, { nonEmpty: true });
  if (bound) ctx.unbind(as!);
  if (times === undefined || as === undefined || !bound || stepsSlot === undefined) return undefined;
  return { kind: "repeat", times, as, steps, ...base };
}
