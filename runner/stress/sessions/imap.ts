// One IMAP stress session: LOGIN, SELECT, FETCH and STORE on a prepared
// message, SEARCH, APPEND, then delete what it appended (UID STORE \Deleted
// by its APPENDUID, EXPUNGE), LOGOUT. Prepared messages 1..K are never
// deleted, so their sequence numbers hold while other sessions expunge.
// Standards: RFC 3501 §6.2.3, §6.3.1, §6.3.11, §6.4.3, §6.4.4, §6.4.6, §6.4.8, §7; RFC 4315 §3 (APPENDUID).

import { parseResponse, type ImapToken } from "../../../wire/imap-tokens.ts";
import { WireClient, WrongReply } from "../wire-client.ts";
import { connectTimed, looksLikeMessage, stressMessage, timed, type SessionContext } from "./session.ts";

const P = "imap";

interface Completion {
  code: ImapToken[] | undefined;
  /** Untagged responses in wire form, in arrival order. */
  untagged: Buffer[];
}

/** A quoted string (RFC 3501 §4.3); logins and passwords of test users need nothing more. */
export function imapQuoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The IMAP side of one connection: tags, and reading to the tagged completion. */
export class ImapConversation {
  private tagCount = 0;
  constructor(readonly client: WireClient, private readonly timeoutMs: number) {}

  /** The greeting: "* OK" (RFC 3501 §7.1.1). */
  async greeting(): Promise<void> {
    const line = (await this.client.imapResponse(this.timeoutMs)).toString("latin1");
    if (!/^\* OK\b/i.test(line)) throw new WrongReply(`expected "* OK" greeting, got ${JSON.stringify(line.slice(0, 120))}`);
  }

  /** Send a command (a literal after a continuation when given) and read to its tagged OK. */
  async command(text: string, literal?: Buffer): Promise<Completion> {
    const tag = `s${++this.tagCount}`;
    this.client.write(literal ? `${tag} ${text} {${literal.length}}\r\n` : `${tag} ${text}\r\n`);
    const untagged: Buffer[] = [];
    let literalSent = literal === undefined;
    for (;;) {
      const bytes = await this.client.imapResponse(this.timeoutMs);
      if (bytes[0] === 0x2a) {
        untagged.push(bytes);
        continue;
      }
      if (bytes[0] === 0x2b) {
        if (literalSent) throw new WrongReply(`${verb(text)}: unexpected continuation`);
        this.client.write(Buffer.concat([literal!, CRLF]));
        literalSent = true;
        continue;
      }
      const response = parseResponse(bytes);
      if (response.kind !== "tagged" || response.tag !== tag) throw new WrongReply(`${verb(text)}: expected tag ${tag}, got ${show(bytes)}`);
      if (response.status !== "OK") throw new WrongReply(`${verb(text)}: expected OK, got ${show(bytes)}`);
      if (!literalSent) throw new WrongReply(`${verb(text)}: completed before the literal was asked for`);
      return { code: response.code, untagged };
    }
  }
}

const CRLF = Buffer.from("\r\n");
const verb = (text: string) => text.split(" ", text.startsWith("UID ") ? 2 : 1).join(" ");
const show = (bytes: Buffer) => JSON.stringify(bytes.subarray(0, 120).toString("latin1"));

/** `* n EXISTS` of the last such response (RFC 3501 §7.3.1). */
export function existsCount(untagged: Buffer[]): number | null {
  let exists: number | null = null;
  for (const b of untagged) {
    const m = /^\* (\d+) EXISTS$/i.exec(b.toString("latin1"));
    if (m) exists = Number(m[1]);
  }
  return exists;
}

/** The FETCH data items of `* n FETCH (...)` for message n, as name → token. */
function fetchItems(untagged: Buffer[], n: number): Map<string, ImapToken> | null {
  for (const b of untagged) {
    if (!b.toString("latin1", 0, 32).startsWith(`* ${n} FETCH`)) continue;
    const response = parseResponse(b);
    if (response.kind !== "untagged") continue;
    const list = response.tokens[2];
    if (list?.type !== "list") throw new WrongReply(`FETCH: no data item list in ${show(b)}`);
    const items = new Map<string, ImapToken>();
    for (let i = 0; i + 1 < list.items.length; i += 2) {
      const name = list.items[i]!;
      if (name.type === "atom") items.set(name.section ? `${name.value.toUpperCase()}[]` : name.value.toUpperCase(), list.items[i + 1]!);
    }
    return items;
  }
  return null;
}

function flagsInclude(items: Map<string, ImapToken> | null, flag: string): boolean {
  const flags = items?.get("FLAGS");
  return flags?.type === "list" && flags.items.some((f) => f.type === "atom" && f.value.toLowerCase() === flag.toLowerCase());
}

export async function imapSession(ctx: SessionContext): Promise<void> {
  const t = ctx.timeoutMs;
  let imap!: ImapConversation;
  const client = await connectTimed(ctx, P, WireClient.connect, (c) => (imap = new ImapConversation(c, t)).greeting());
  try {
    await timed(ctx, P, "LOGIN", () => imap.command(`LOGIN ${imapQuoted(ctx.user.login)} ${imapQuoted(ctx.user.password)}`));
    await timed(ctx, P, "SELECT", async () => {
      const done = await imap.command("SELECT INBOX");
      const exists = existsCount(done.untagged);
      if (exists === null || exists < ctx.seedMessages) throw new WrongReply(`SELECT: EXISTS ${exists}, the prepared mailbox has ${ctx.seedMessages}`);
    });
    const n = 1 + Math.floor(ctx.random() * ctx.seedMessages);
    await timed(ctx, P, "FETCH", async () => {
      const done = await imap.command(`FETCH ${n} (FLAGS BODY.PEEK[])`);
      const body = fetchItems(done.untagged, n)?.get("BODY[]");
      if (body?.type !== "string" || !looksLikeMessage(body.value.toString("latin1", 0, 4096))) throw new WrongReply(`FETCH ${n}: no BODY[] that is a message`);
    });
    await timed(ctx, P, "STORE", async () => {
      const done = await imap.command(`STORE ${n} +FLAGS (\\Flagged)`);
      // RFC 3501 §6.4.6: without .SILENT the server returns the new flags. Dovecot sends no FETCH when the
      // flag was already set (an earlier session's STORE); SEARCH FLAGGED below checks the effect either way.
      const items = fetchItems(done.untagged, n);
      if (items !== null && !flagsInclude(items, "\\Flagged")) throw new WrongReply(`STORE ${n}: FETCH without \\Flagged`);
    });
    await timed(ctx, P, "SEARCH", async () => {
      const done = await imap.command("SEARCH FLAGGED");
      const hits = done.untagged.map((b) => b.toString("latin1")).find((l) => /^\* SEARCH\b/i.test(l));
      if (!hits?.split(" ").slice(2).includes(String(n))) throw new WrongReply(`SEARCH FLAGGED: message ${n} (just flagged) missing`);
    });
    const message = stressMessage(ctx.messageOctets, ctx.nextMessageId(), ctx.sender, ctx.user.address, "stress append");
    const appended = await timed(ctx, P, "APPEND", async () => {
      const done = await imap.command("APPEND INBOX (\\Seen)", message);
      // RFC 4315 §3: [APPENDUID uidvalidity uid]; without UIDPLUS nothing is deleted afterwards.
      const code = done.code;
      return code?.[0]?.type === "atom" && code[0].value.toUpperCase() === "APPENDUID" && code[2]?.type === "number" ? code[2].value : null;
    });
    if (appended !== null) await timed(ctx, P, "UID STORE", () => imap.command(`UID STORE ${appended} +FLAGS.SILENT (\\Deleted)`));
    await timed(ctx, P, "EXPUNGE", () => imap.command("EXPUNGE"));
    await timed(ctx, P, "LOGOUT", async () => {
      const done = await imap.command("LOGOUT");
      // RFC 3501 §6.1.3: the server MUST send BYE before the tagged OK.
      if (!done.untagged.some((b) => /^\* BYE\b/i.test(b.toString("latin1", 0, 8)))) throw new WrongReply("LOGOUT: no untagged BYE");
    });
  } finally {
    client.destroy();
  }
}
