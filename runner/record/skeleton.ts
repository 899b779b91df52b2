// A recorded session → a test skeleton in the dialogue language: each client
// line a `send`, each server reply an `expect` on its structure only (SMTP
// code, POP3 status and whether it is multiline, IMAP tagged status, atom
// response codes and untagged response names) — never a server's wording.
// Message content (SMTP DATA, IMAP literals) becomes fixture files; logins
// and passwords become ${user.login} / ${user.password}; SASL exchanges
// become `auth` steps the runner computes. Server lines are read by the facts
// the recorder's line classifier put on them (code, status, tag, role), the
// same facts the runner's transcripts carry. Pure: the proxy writes the files.
// Standards: RFC 5321 §4.1.1, §4.2 (commands, reply codes), RFC 4954 (AUTH),
// RFC 1939 §3-§7, RFC 2449 (POP3), RFC 3501 §6, §7 (IMAP commands, responses).

import type { Protocol } from "../model/ast.ts";
import type { LineUnit, WireUnit } from "./recorder.ts";

export type StepObject = Record<string, unknown>;

export interface Fixture {
  /** Relative to the suite file: fixtures/<name>. */
  path: string;
  bytes: Buffer;
}

export interface Credentials {
  login: string;
  password: string;
}

export interface Skeleton {
  steps: StepObject[];
  fixtures: Fixture[];
  /** What the recording could not turn into steps (TLS, an unknown SASL mechanism). */
  notes: string[];
}

const SASL_MECHANISMS = new Set(["PLAIN", "LOGIN", "CRAM-MD5"]);

/**
 * An `auth` step as the client ran it: with or without the initial response
 * on the command line (RFC 4954 §4, RFC 5034 §4, RFC 4959), said explicitly
 * so the replay sends what the client sent; CRAM-MD5 has none (RFC 2195 §2).
 */
function authStep(mechanism: string, initialResponse: boolean, outcome: string): Record<string, unknown> {
  return { mechanism, ...(mechanism === "CRAM-MD5" ? {} : { "initial-response": initialResponse }), ...(outcome === "success" ? {} : { outcome }) };
}

/** A server line of the recording. */
function serverLine(u: WireUnit | undefined): u is LineUnit & { dir: "S" } {
  return u?.kind === "line" && u.dir === "S";
}

interface Ctx {
  users: Credentials[];
  fixtures: Fixture[];
  fixturePrefix: string;
  notes: string[];
}

/** Replace a known login or password word; with none known, the caller decides by position. */
function secret(value: string, ctx: Ctx, kind: "login" | "password"): string {
  const unquoted = value.replace(/^"(.*)"$/, "$1");
  const index = ctx.users.findIndex((u) => (kind === "login" ? u.login : u.password) === unquoted);
  if (index > 0) return `\${user${index + 1}.${kind}}`;
  return `\${user.${kind}}`;
}

/** Whatever a line says, `${` must stay literal in a template: `$${`. */
function template(text: string): string {
  return text.replace(/\$\{/g, "$${");
}

function addFixture(ctx: Ctx, bytes: Buffer, ext: string): string {
  const path = `fixtures/${ctx.fixturePrefix}-${ctx.fixtures.length + 1}.${ext}`;
  ctx.fixtures.push({ path, bytes });
  return path;
}

export function buildSkeleton(protocol: Protocol, units: readonly WireUnit[], options: { users: Credentials[]; fixturePrefix: string }): Skeleton {
  const ctx: Ctx = { users: options.users, fixtures: [], fixturePrefix: options.fixturePrefix, notes: [] };
  const steps = protocol === "smtp" || protocol === "lmtp" ? smtpSteps(units, ctx) : protocol === "pop3" ? pop3Steps(units, ctx) : imapSteps(units, ctx);
  const last = units.at(-1);
  if (last?.kind === "closed" && last.by === "S") steps.push({ expect: "closed" });
  return { steps, fixtures: ctx.fixtures, notes: ctx.notes };
}

function tlsNote(ctx: Ctx): void {
  ctx.notes.push("the session switched to TLS: a transparent proxy cannot see further; the rest is not recorded");
}

// --- SMTP -------------------------------------------------------------------

function smtpSteps(units: readonly WireUnit[], ctx: Ctx): StepObject[] {
  const steps: StepObject[] = [];
  let i = 0;
  const nextReply = (): { code: number; lines: string[] } | undefined => {
    // Collect server lines from i up to the final line of one reply.
    const lines: string[] = [];
    while (i < units.length) {
      const u = units[i]!;
      if (u.kind === "line" && u.dir === "S") {
        lines.push(u.text);
        i++;
        if (u.code !== undefined && !u.more) return { code: Number(u.code), lines };
        continue;
      }
      if (lines.length > 0 && u.kind === "line") {
        i++;
        continue;
      }
      break;
    }
    return lines.length > 0 ? { code: Number(lines.at(-1)!.slice(0, 3)) || 0, lines } : undefined;
  };
  while (i < units.length) {
    const u = units[i]!;
    if (u.kind === "tls") {
      tlsNote(ctx);
      break;
    }
    if (u.kind === "closed" || u.kind === "literal") {
      i++;
      continue;
    }
    if (u.dir === "S") {
      const r = nextReply();
      if (r) steps.push({ expect: r.code });
      continue;
    }
    i++;
    const words = u.text.split(" ");
    const verb = (words[0] ?? "").toUpperCase();
    if (verb === "STARTTLS") {
      const r = nextReply();
      if (r && r.code >= 200 && r.code < 300) steps.push({ starttls: true });
      else {
        steps.push({ send: "STARTTLS" });
        if (r) steps.push({ expect: r.code });
      }
      continue;
    }
    if (verb === "AUTH" && SASL_MECHANISMS.has((words[1] ?? "").toUpperCase())) {
      // Client lines after each 334 belong to the exchange; the final reply decides the outcome.
      let r = nextReply();
      while (r && r.code === 334 && i < units.length && units[i]!.kind === "line" && units[i]!.dir === "C") {
        i++;
        r = nextReply();
      }
      const mechanism = (words[1] ?? "").toUpperCase();
      steps.push({ auth: authStep(mechanism, words.length >= 3, r && r.code >= 500 ? "failure" : "success") });
      continue;
    }
    steps.push({ send: template(u.text) });
    if (verb === "DATA") {
      const r = nextReply();
      if (r) steps.push({ expect: r.code });
      if (r?.code === 354) {
        // Content lines up to the lone ".", unstuffed: the runner stuffs them again (RFC 5321 §4.5.2).
        const content: string[] = [];
        while (i < units.length) {
          const c = units[i]!;
          if (c.kind !== "line" || c.dir !== "C") break;
          i++;
          if (c.text === ".") break;
          content.push(c.text.startsWith(".") ? c.text.slice(1) : c.text);
        }
        const file = addFixture(ctx, Buffer.from(content.map((l) => l + "\r\n").join("")), "eml");
        steps.push({ data: { file } });
      }
    }
  }
  return steps;
}

// --- POP3 -------------------------------------------------------------------

function pop3Steps(units: readonly WireUnit[], ctx: Ctx): StepObject[] {
  const steps: StepObject[] = [];
  let i = 0;
  while (i < units.length) {
    const u = units[i]!;
    i++;
    if (u.kind === "tls") {
      tlsNote(ctx);
      break;
    }
    if (u.kind !== "line") continue;
    if (u.dir === "C") {
      const [verbWord = "", ...rest] = u.text.split(" ");
      const verb = verbWord.toUpperCase();
      const args = rest.join(" ");
      if (verb === "STLS") {
        const next = units[i];
        if (serverLine(next) && next.tlsGoAhead) {
          i++;
          steps.push({ starttls: true });
          continue;
        }
      }
      if (verb === "AUTH" && SASL_MECHANISMS.has((rest[0] ?? "").toUpperCase())) {
        let outcome = "success";
        while (i < units.length) {
          const n = units[i]!;
          if (n.kind !== "line") break;
          i++;
          if (n.dir === "S" && n.status !== undefined) {
            outcome = n.status === "+OK" ? "success" : "failure";
            break;
          }
        }
        steps.push({ auth: authStep(rest[0]!.toUpperCase(), rest.length >= 2, outcome) });
        continue;
      }
      if (verb === "USER" && args) steps.push({ send: `USER ${secret(args, ctx, "login")}` });
      else if (verb === "PASS" && args) steps.push({ send: `PASS ${secret(args, ctx, "password")}` });
      else if (verb === "APOP") {
        ctx.notes.push("APOP's digest depends on each greeting's timestamp, so a recorded digest never matches again: replace the APOP step by hand");
        steps.push({ send: `APOP ${secret(rest[0] ?? "", ctx, "login")} 00000000000000000000000000000000` });
      } else steps.push({ send: template(u.text) });
      continue;
    }
    // Server: a status line; `more` when a multiline body follows (runner/protocols/pop3/multiline.ts says which commands have one).
    if (u.role !== "reply") continue;
    if (u.more) {
      while (serverLine(units[i])) {
        const b = units[i++] as LineUnit;
        if (b.role === "end-of-data") break;
      }
      steps.push({ expect: { status: "+OK", multiline: true } });
    } else steps.push({ expect: u.status });
  }
  return steps;
}

// --- IMAP -------------------------------------------------------------------

/** An untagged response reduced to its structure: "* 3 EXISTS" → "* $_ EXISTS", "* FLAGS (…)" → "* FLAGS ...". */
export function untaggedShape(line: string): string {
  const words = line.slice(2).split(" ");
  const first = words[0] ?? "";
  if (/^\d+$/.test(first)) {
    const name = (words[1] ?? "").replace(/[^A-Za-z0-9-]/g, "").toUpperCase();
    return words.length > 2 ? `* $_ ${name} ...` : `* $_ ${name}`;
  }
  const name = first.replace(/[^A-Za-z0-9-]/g, "").toUpperCase();
  return words.length > 1 ? `* ${name} ...` : `* ${name}`;
}

/** The atom of a response code, when it is nothing but an atom ("[READ-WRITE]"). */
function atomCode(text: string): string | undefined {
  const m = /^\[([A-Za-z0-9-]+)\]/.exec(text);
  return m?.[1]?.toUpperCase();
}

function imapSteps(units: readonly WireUnit[], ctx: Ctx): StepObject[] {
  const steps: StepObject[] = [];
  const pendingTags = new Set<string>();
  let untagged: string[] = [];
  let i = 0;
  let authenticating: string | undefined;
  const flushUntagged = (status: string, code: string | undefined): StepObject => {
    const rules = [...new Set(untagged)];
    untagged = [];
    return rules.length === 0 && code === undefined ? { expect: status } : { expect: { status, ...(code ? { code } : {}), ...(rules.length > 0 ? { untagged: rules } : {}) } };
  };
  while (i < units.length) {
    const u = units[i]!;
    i++;
    if (u.kind === "tls") {
      tlsNote(ctx);
      break;
    }
    if (u.kind === "closed") continue;
    // Server literals belong to an untagged response already reduced to its shape; client literals
    // are taken with their command line below.
    if (u.kind === "literal") continue;
    if (u.dir === "C") {
      if (authenticating !== undefined) continue; // SASL responses: the auth step computes them
      const sp = u.text.indexOf(" ");
      const tag = sp > 0 ? u.text.slice(0, sp) : u.text;
      let rest = sp > 0 ? u.text.slice(sp + 1) : "";
      const verb = rest.split(" ")[0]!.toUpperCase();
      if (pendingTags.size > 0 && !/^[A-Za-z0-9.]+$/.test(tag)) {
        steps.push({ send: { line: template(u.text), tag: "none" } });
        continue;
      }
      if (verb === "DONE" || u.text.toUpperCase() === "DONE") {
        steps.push({ send: { line: "DONE", tag: "none" } });
        continue;
      }
      pendingTags.add(tag);
      if (verb === "STARTTLS") {
        const next = units[i];
        if (serverLine(next) && next.tag === tag && next.tlsGoAhead) {
          i++;
          pendingTags.delete(tag);
          steps.push({ starttls: true });
          continue;
        }
      }
      if (verb === "AUTHENTICATE" && SASL_MECHANISMS.has((rest.split(" ")[1] ?? "").toUpperCase())) {
        authenticating = tag;
        const words = rest.split(" ");
        steps.push({ auth: authStep(words[1]!.toUpperCase(), words.length >= 3, "success") });
        continue;
      }
      if (verb === "LOGIN") {
        const m = /^LOGIN\s+("(?:[^"\\]|\\.)*"|\S+)\s+("(?:[^"\\]|\\.)*"|\S+)$/i.exec(rest);
        if (m) rest = `LOGIN "${secret(m[1]!, ctx, "login")}" "${secret(m[2]!, ctx, "password")}"`;
      }
      const literal = /^(.*)\{(\d+)(\+?)\}$/.exec(rest);
      if (literal) {
        // The literal's octets follow as one unit (after a "+" for a synchronising literal); then the line's rest.
        let j = i;
        while (j < units.length && !(units[j]!.kind === "literal" && units[j]!.dir === "C")) j++;
        const bytes = j < units.length ? (units[j] as { bytes: Buffer }).bytes : Buffer.alloc(0);
        const after = units[j + 1]?.kind === "line" && units[j + 1]!.dir === "C" ? (units[j + 1] as { text: string }).text : "";
        const file = addFixture(ctx, bytes, "eml");
        // A synchronising literal's "+" go-ahead (between i and j) is the runner's to wait for.
        const sync = literal[3] !== "+";
        steps.push({ send: { line: template(literal[1]!.trimEnd()), literal: { file, sync, ...(after ? { after: template(after) } : {}) } } });
        i = after ? j + 2 : j + 1;
        continue;
      }
      steps.push({ send: template(rest) });
      continue;
    }
    // Server lines.
    const text = u.text;
    if (u.role === "untagged") {
      if (u.greeting) steps.push({ expect: u.status ?? "OK" });
      else untagged.push(untaggedShape(text));
      continue;
    }
    if (u.role === "continue") {
      if (authenticating === undefined) steps.push({ expect: "+" });
      continue;
    }
    const tag = u.tag;
    if (tag === undefined || !pendingTags.has(tag)) continue;
    pendingTags.delete(tag);
    const status = u.status;
    if (status === undefined) continue;
    if (authenticating === tag) {
      authenticating = undefined;
      untagged = [];
      if (status !== "OK") {
        const last = steps.at(-1) as { auth: Record<string, unknown> };
        last.auth.outcome = status === "NO" ? "failure" : "cancel";
      }
      continue;
    }
    // resp-text after "tag SP status SP": its [atom] code, if any.
    steps.push(flushUntagged(status, atomCode(text.slice(tag.length + 1 + status.length).trimStart())));
  }
  return steps;
}
