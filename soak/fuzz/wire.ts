// The wire fuzzer: generated command sequences (the protocol generators of
// this folder plus a few well-formed lines that open deeper states: greeted,
// logged in, mailbox selected, inside DATA or APPEND) sent in lock-step over
// real sockets to a running server. Every command must get a syntactically
// valid reply within the time bound; a close must follow a final reply (421,
// -ERR, BYE); and a new connection must still be greeted afterwards.
// Lines are kept single (CR and LF removed, text beyond latin1 sent as UTF-8
// so no code unit turns into a line end) and literal counts made true,
// so that reply counting is exact; broken framing is the in-process and
// robustness suites' part.
// Standards: RFC 5321 §4.2 and §4.3, RFC 1939 §3, RFC 3501 §2.2.2 and §7.

import fc from "fast-check";
import { ImapLineClient } from "../../runner/session/imap-line-client.ts";
import { ConnectionClosed, LineClient } from "../../runner/session/line-client.ts";
import { readPop3Body, readPop3Status, readSmtpReply } from "../../runner/session/line-replies.ts";
import { imapCommand } from "./imap.ts";
import { mimeMessage } from "./mime.ts";
import { pop3CommandLine } from "./pop3.ts";
import { smtpCommandLine } from "./smtp.ts";
import { bytesOf } from "./pieces.ts";

export type WireProtocol = "smtp" | "pop3" | "imap";

export interface WireFuzzOptions {
  protocol: WireProtocol;
  port: number;
  host?: string;
  /** Command sequences (one connection each, more after a server close). */
  sequences: number;
  maxCommands: number;
  seed: number;
  /** Sequences run at once. */
  concurrency: number;
  /** Longest wait for one reply (ms): longer is a hang. */
  replyBoundMs: number;
}

export interface WireFuzzResult {
  protocol: WireProtocol;
  sequences: number;
  commands: number;
  connections: number;
  ms: number;
  perSecond: number;
  failures: string[];
}

const singleLine = (text: string) => text.replace(/[\r\n]/g, " ");

const smtpLine = fc.oneof(
  { weight: 3, arbitrary: smtpCommandLine.map(singleLine).map((l) => (/^\s*bdat/i.test(l) ? "X" + l : l)) },
  { weight: 2, arbitrary: fc.constantFrom("EHLO fuzz.test", "HELO fuzz.test", "MAIL FROM:<f@fuzz.test>", "RCPT TO:<alice@example.test>", "RCPT TO:<bob@EXAMPLE.TEST>", "DATA", "RSET", "NOOP", "AUTH PLAIN AGFsaWNlAGFsaWNlLXB3", "AUTH LOGIN") },
);
const pop3Line = fc.oneof(
  { weight: 3, arbitrary: pop3CommandLine.map(singleLine) },
  { weight: 2, arbitrary: fc.constantFrom("USER alice", "PASS alice-pw", "USER bob", "PASS bob-pw", "STAT", "LIST", "UIDL", "RETR 1", "TOP 1 0", "DELE 1", "RSET", "CAPA", "AUTH PLAIN") },
);
type ImapStep = { text: string; literal?: Buffer };
const imapStep: fc.Arbitrary<ImapStep> = fc.oneof(
  { weight: 3, arbitrary: imapCommand.map(([verb, args]) => ({ text: singleLine(`${verb} ${args}`) })) },
  {
    weight: 2,
    arbitrary: fc.constantFrom("LOGIN alice alice-pw", "SELECT INBOX", "EXAMINE INBOX", "FETCH 1:* (FLAGS UID BODYSTRUCTURE ENVELOPE)", "UID FETCH 1:* (BODY.PEEK[] BODY[1.MIME] BODY[HEADER.FIELDS (SUBJECT)])", "FETCH * BODY[TEXT]<0.10>", "SEARCH ALL", "STORE 1 +FLAGS (\\Seen)", "NOOP", "LIST \"\" *", "IDLE", "CLOSE", "EXPUNGE").map((text) => ({ text })),
  },
  { weight: 1, arbitrary: mimeMessage.map((m) => ({ text: "APPEND INBOX", literal: bytesOf(m) })) },
);

function sequencesOf<T>(line: fc.Arbitrary<T>, options: WireFuzzOptions): T[][] {
  return fc.sample(fc.array(line, { minLength: 1, maxLength: options.maxCommands }), { seed: options.seed, numRuns: options.sequences });
}

class Session {
  client: LineClient | null = null;
  connections = 0;
  commands = 0;
  constructor(private readonly options: WireFuzzOptions) {}

  async open(): Promise<void> {
    this.client?.close();
    this.client = null;
    const endpoint = { port: this.options.port, ...(this.options.host ? { host: this.options.host } : {}) };
    const options = { timeoutMs: this.options.replyBoundMs };
    this.connections++;
    if (this.options.protocol === "imap") {
      const imap = (this.client = await ImapLineClient.connect(endpoint, options));
      if (!/^\* (OK|PREAUTH) /.test(imap.greeting)) throw new Error(`greeting was ${imap.greeting.slice(0, 200)}`);
      return;
    }
    const c = (this.client = await LineClient.connect(endpoint, options));
    if (this.options.protocol === "smtp") {
      const r = await readSmtpReply(c);
      if (r.code !== 220) throw new Error(`greeting was ${r.lines[0]}`);
    } else {
      const line = await readPop3Status(c);
      if (!line.startsWith("+OK")) throw new Error(`greeting was ${line}`);
    }
  }

  /** The IMAP client of an IMAP session. */
  get imap(): ImapLineClient {
    if (!(this.client instanceof ImapLineClient)) throw new Error("not an IMAP session");
    return this.client;
  }
}

async function smtpSequence(s: Session, lines: string[], bound: number): Promise<void> {
  await s.open();
  for (const line of [...lines, "QUIT"]) {
    const c = s.client!;
    c.send(bytesOf(line + "\r\n"));
    s.commands++;
    let r = await readSmtpReply(c, bound);
    if (r.code === 354) {
      c.send("Subject: fuzz\r\n\r\nx line one\nx bare lf\rx bare cr\r\n\r\n.\r\n");
      r = await readSmtpReply(c, bound);
    } else if (r.code === 334) {
      c.send("*\r\n");
      r = await readSmtpReply(c, bound);
    }
    if (r.code === 221 || r.code === 421 || (r.code === 220 && /^starttls/i.test(line))) {
      if (r.code !== 220) await c.closed(bound);
      await s.open();
    }
  }
}

async function pop3Sequence(s: Session, lines: string[], bound: number): Promise<void> {
  await s.open();
  let lastErr = false;
  for (const line of [...lines, "QUIT"]) {
    const c = s.client!;
    c.send(bytesOf(line + "\r\n"));
    s.commands++;
    let status: string;
    try {
      status = await readPop3Status(c, bound);
    } catch (error) {
      // A session may end after an -ERR (too many errors); before any other reply that is a bug.
      if (!(error instanceof ConnectionClosed) || !lastErr) throw error;
      await s.open();
      continue;
    }
    if (status.startsWith("+ ")) {
      c.send("*\r\n");
      status = await readPop3Status(c, bound);
    }
    lastErr = status.startsWith("-ERR");
    const space = line.indexOf(" ");
    const verb = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const args = space === -1 ? "" : line.slice(space + 1);
    const multiline = ["CAPA", "RETR", "TOP"].includes(verb) || (["LIST", "UIDL", "AUTH"].includes(verb) && args === "");
    if (status.startsWith("+OK") && multiline) await readPop3Body(c, bound);
    if ((verb === "QUIT" && status.startsWith("+OK")) || (verb === "STLS" && status.startsWith("+OK"))) await s.open();
  }
}

/** Literal announcement at the end of a line: its count is capped so we can always send it. */
const TRAILING_LITERAL = /\{(\d{1,20})(\+?)\}$/;
const MAX_SENT_LITERAL_OCTETS = 2048;

async function imapSequence(s: Session, steps: ImapStep[], bound: number): Promise<void> {
  await s.open();
  let n = 0;
  for (const step of [...steps, { text: "LOGOUT" }]) {
    const c = s.imap;
    const tag = `f${++n}`;
    let literal = step.literal ?? null;
    let text = step.text;
    let synchronizing = true;
    if (literal) text += ` {${literal.length}}`;
    else {
      const announced = TRAILING_LITERAL.exec(text);
      if (announced) {
        const count = Math.min(Number(announced[1]), MAX_SENT_LITERAL_OCTETS);
        synchronizing = announced[2] === "";
        text = text.slice(0, announced.index) + `{${count}${announced[2]}}`;
        literal = Buffer.alloc(count, "x");
      }
    }
    s.commands++;
    if (literal && !synchronizing) c.send(Buffer.concat([bytesOf(`${tag} ${text}\r\n`), literal, Buffer.from("\r\n")]));
    else c.send(bytesOf(`${tag} ${text}\r\n`));
    let bye = false;
    for (;;) {
      let response: string;
      try {
        response = await c.response(bound);
      } catch (error) {
        if (!(error instanceof ConnectionClosed) || !bye) throw error;
        break;
      }
      if (response.startsWith(`${tag} `)) {
        if (!/^\S+ (OK|NO|BAD)(?: |$)/.test(response)) throw new Error(`malformed tagged response: ${JSON.stringify(response.slice(0, 200))}`);
        if (/^\S+ OK/.test(response) && /^starttls/i.test(text)) bye = true;
        break;
      }
      if (response.startsWith("+")) {
        if (literal && synchronizing) {
          c.send(Buffer.concat([literal, Buffer.from("\r\n")]));
          literal = null;
        } else c.send(/^idle/i.test(text) ? "DONE\r\n" : "*\r\n");
        continue;
      }
      if (!response.startsWith("* ")) throw new Error(`neither tagged ${tag}, untagged nor a continuation: ${JSON.stringify(response.slice(0, 200))}`);
      if (response.startsWith("* BYE")) bye = true;
    }
    if (bye) {
      await c.closed(bound).catch(() => undefined);
      await s.open();
    }
  }
}

export async function wireFuzz(options: WireFuzzOptions): Promise<WireFuzzResult> {
  const started = performance.now();
  const bound = options.replyBoundMs;
  const work: (() => Promise<void>)[] = [];
  const failures: string[] = [];
  const sessions: Session[] = [];
  const add = <T>(sequences: T[][], run: (s: Session, seq: T[]) => Promise<void>, show: (seq: T[]) => string) => {
    sequences.forEach((seq, i) =>
      work.push(async () => {
        const s = new Session(options);
        sessions.push(s);
        try {
          await run(s, seq);
        } catch (error) {
          failures.push(`${options.protocol} sequence ${i} (seed ${options.seed}): ${error instanceof Error ? error.message : String(error)}\n  sent: ${show(seq).slice(0, 1500)}`);
        } finally {
          s.client?.close();
        }
      }),
    );
  };
  const showLines = (seq: string[]) => JSON.stringify(seq);
  if (options.protocol === "smtp") add(sequencesOf(smtpLine, options), (s, seq) => smtpSequence(s, seq, bound), showLines);
  else if (options.protocol === "pop3") add(sequencesOf(pop3Line, options), (s, seq) => pop3Sequence(s, seq, bound), showLines);
  else add(sequencesOf(imapStep, options), (s, seq) => imapSequence(s, seq, bound), (seq) => JSON.stringify(seq.map((x) => x.text)));

  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < work.length) await work[next++]!();
    }),
  );
  // The server must still greet a newcomer after all of that.
  const probe = new Session(options);
  try {
    await probe.open();
  } catch (error) {
    failures.push(`${options.protocol}: no proper greeting after the fuzz run: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    probe.client?.close();
  }
  const ms = performance.now() - started;
  const commands = sessions.reduce((sum, s) => sum + s.commands, 0);
  return {
    protocol: options.protocol,
    sequences: options.sequences,
    commands,
    connections: sessions.reduce((sum, s) => sum + s.connections, 0) + 1,
    ms,
    perSecond: commands / (ms / 1000),
    failures,
  };
}
