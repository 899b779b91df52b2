// Load: many concurrent sessions of all three protocols held open at once —
// SMTP transactions, POP3 login/STAT/QUIT, IMAP login/SELECT/FETCH/LOGOUT —
// every one of which must complete without an error; and the memory an idle
// connection costs the server, per protocol, read from the server process's
// RSS before and after opening a batch of idle, greeted connections.
// Standards: RFC 5321 §3.3, RFC 1939 §5, RFC 3501 §6.3.1 and §6.4.5.

import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { ImapLineClient } from "../../runner/session/imap-line-client.ts";
import { LineClient, type LineClientOptions } from "../../runner/session/line-client.ts";
import { readPop3Status, readSmtpReply } from "../../runner/session/line-replies.ts";

const REPLY_BOUND_MS = 30_000;
const CLIENT: LineClientOptions = { timeoutMs: REPLY_BOUND_MS };

export interface LoadOptions {
  ports: { smtp: number; pop3: number; imap: number };
  sessions: number;
  /** Users user0 … user<n-1> exist with password "<name>-pw"; sessions spread over them. */
  users: number;
}

export interface LoadResult {
  sessions: number;
  /** Sessions connected and logged in at the same moment (all of them, unless some failed). */
  heldAtOnce: number;
  errors: string[];
  ms: number;
}

type Protocol = "smtp" | "pop3" | "imap";

/** Resolves when `count` parties have arrived: every session is open and past login before any finishes. */
function barrier(count: number): { arrive(): Promise<void>; arrived: () => number } {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((r) => (release = r));
  return {
    arrive() {
      if (++arrived >= count) release();
      return all;
    },
    arrived: () => arrived,
  };
}

/** One session of a protocol; `opened` gets its client at once, so the caller closes it whatever happens. */
type Session = (port: number, user: string, hold: () => Promise<void>, opened: (c: LineClient) => void) => Promise<void>;

const smtpSession: Session = async (port, user, hold, opened) => {
  const c = await LineClient.connect({ port }, CLIENT);
  opened(c);
  const expect = async (code: number) => {
    const r = await readSmtpReply(c);
    if (r.code !== code) throw new Error(`expected ${code}, got ${r.lines.join(" | ")}`);
  };
  await expect(220);
  c.send("EHLO load.test\r\n");
  await expect(250);
  await hold();
  c.send(`MAIL FROM:<load@load.test>\r\nRCPT TO:<${user}@example.test>\r\nDATA\r\n`);
  await expect(250);
  await expect(250);
  await expect(354);
  c.send(`Subject: load\r\n\r\nhello ${user}\r\n.\r\nQUIT\r\n`);
  await expect(250);
  await expect(221);
};

const pop3Session: Session = async (port, user, hold, opened) => {
  const c = await LineClient.connect({ port }, CLIENT);
  opened(c);
  const ok = async () => {
    const line = await readPop3Status(c);
    if (!line.startsWith("+OK")) throw new Error(`expected +OK, got ${line}`);
  };
  await ok();
  c.send(`USER ${user}\r\n`);
  await ok();
  c.send(`PASS ${user}-pw\r\n`);
  await ok();
  await hold();
  c.send("STAT\r\n");
  await ok();
  c.send("QUIT\r\n");
  await ok();
};

const imapSession: Session = async (port, user, hold, opened) => {
  const c = await ImapLineClient.connect({ port }, CLIENT);
  opened(c);
  const ok = async (tag: string) => {
    const r = await c.until(tag);
    if (r.status !== "OK") throw new Error(`expected OK, got ${r.tagged}`);
    return r;
  };
  if (!c.greeting.startsWith("* OK")) throw new Error(`greeting ${c.greeting}`);
  c.send(`a LOGIN ${user} ${user}-pw\r\n`);
  await ok("a");
  await hold();
  c.send("b SELECT INBOX\r\n");
  await ok("b");
  c.send("c UID FETCH 1:* (FLAGS BODYSTRUCTURE BODY.PEEK[HEADER])\r\n");
  await ok("c");
  c.send("d LOGOUT\r\n");
  await ok("d");
};

const RUN: Record<Protocol, Session> = { smtp: smtpSession, pop3: pop3Session, imap: imapSession };

export async function mixedLoad(options: LoadOptions): Promise<LoadResult> {
  const started = performance.now();
  const errors: string[] = [];
  const gate = barrier(options.sessions);
  let heldAtOnce = 0;
  const protocols: Protocol[] = ["smtp", "pop3", "imap"];
  await Promise.all(
    Array.from({ length: options.sessions }, async (_, i) => {
      const protocol = protocols[i % 3]!;
      // POP3 locks the maildrop: each POP3 session gets a user of its own.
      const user = `user${Math.floor(i / 3) % options.users}`;
      const opened: LineClient[] = [];
      let arrived = false;
      const hold = async () => {
        arrived = true;
        await gate.arrive();
        heldAtOnce = Math.max(heldAtOnce, gate.arrived());
      };
      try {
        await RUN[protocol](options.ports[protocol], user, hold, (c) => opened.push(c));
      } catch (error) {
        errors.push(`${protocol} session ${i} (${user}): ${error instanceof Error ? error.message : String(error)}`);
        if (!arrived) void gate.arrive();
      } finally {
        for (const c of opened) c.close();
      }
    }),
  );
  return { sessions: options.sessions, heldAtOnce: errors.length === 0 ? heldAtOnce : heldAtOnce - errors.length, errors, ms: performance.now() - started };
}

/** The server child's RSS and live JS memory (heap + external) in KiB after a full garbage collection (server-child.ts answers "rss" on stdin). */
export async function memoryKiB(child: ChildProcess): Promise<{ rss: number; heap: number }> {
  child.stdin!.write("rss\n");
  const [chunk] = (await once(child.stdout!, "data")) as [Buffer];
  const m = JSON.parse(chunk.toString()) as { rss: number; heap: number };
  return { rss: m.rss / 1024, heap: m.heap / 1024 };
}

/**
 * RSS growth per idle, greeted connection of one protocol in the server
 * process `pid`: open `count` connections, wait for every greeting, let the
 * heap settle (full GC), and divide the differences. Run it on a fresh
 * server: RSS does not shrink after earlier load, so it would read low.
 */
export async function idleRssPerConnection(child: ChildProcess, port: number, protocol: Protocol, count: number): Promise<{ rssKiB: number; heapKiB: number; connections: number }> {
  const settle = () => new Promise((r) => setTimeout(r, 500));
  await settle();
  const before = await memoryKiB(child);
  const clients: LineClient[] = [];
  try {
    for (let i = 0; i < count; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, count - i) }, async () => {
          // Each client reads its greeting (ImapLineClient.connect does for IMAP).
          if (protocol === "imap") return ImapLineClient.connect({ port }, CLIENT);
          const c = await LineClient.connect({ port }, CLIENT);
          if (protocol === "smtp") await readSmtpReply(c);
          else await readPop3Status(c);
          return c;
        }),
      );
      clients.push(...batch);
    }
    await settle();
    const after = await memoryKiB(child);
    return { rssKiB: (after.rss - before.rss) / count, heapKiB: (after.heap - before.heap) / count, connections: count };
  } finally {
    for (const c of clients) c.close();
    await settle();
  }
}
