// Durability under kill -9: several SMTP clients deliver messages while the
// server process is killed with SIGKILL at random moments and restarted on
// the same data directory. Afterwards the store must hold every message that
// got a 250, byte for byte after the trace headers; nothing half-written may
// be visible (every stored message is one a client sent, complete); UIDs are
// unique and UIDVALIDITY is what it was before the first kill.
// Standards: RFC 5321 §4.1.1.4 and §6.1 (250 = responsibility taken), RFC 3501 §2.3.1.1, Maildir.

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { ImapLineClient } from "../../runner/session/imap-line-client.ts";
import { LineClient } from "../../runner/session/line-client.ts";
import { readSmtpReply } from "../../runner/session/line-replies.ts";
import { seededRandom } from "../../runner/stress/mix.ts";

const CHILD = fileURLToPath(new URL("./server-child.ts", import.meta.url));
const REPLY_BOUND_MS = 10_000;

export interface DurabilityOptions {
  dataDir: string;
  deliveries: number;
  kills: number;
  clients: number;
  /** Random seed for message contents and kill moments. */
  seed: number;
}

export interface DurabilityResult {
  deliveries: number;
  acknowledged: number;
  kills: number;
  stored: number;
  lost: string[];
  corrupt: string[];
  duplicateUids: number;
  /** A UID seen (over IMAP, after a restart) naming one message and later another, or a message whose UID changed. */
  uidsChanged: string[];
  /** How many uid → message pairings seen over IMAP were checked against the final store. */
  uidsChecked: number;
  uidValidityChanged: string[];
  ms: number;
}

export interface Running {
  child: ChildProcess;
  ports: { smtp: number; pop3: number; imap: number };
}

export async function spawnServer(dataDir: string, extraUsers = 0): Promise<Running> {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", CHILD, dataDir, String(extraUsers)], { stdio: ["pipe", "pipe", "inherit"] });
  let buffered = "";
  const ready = new Promise<Running["ports"]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server child did not start within 20 s")), 20_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf("\n");
      if (newline === -1) return;
      clearTimeout(timer);
      child.stdout!.removeAllListeners("data");
      resolve((JSON.parse(buffered.slice(0, newline)) as { ports: Running["ports"] }).ports);
    });
    child.once("exit", (code) => reject(new Error(`server child exited with ${code} before it started`)));
  });
  return { child, ports: await ready };
}

function messageFor(id: string, rand: () => number): Buffer {
  const lines = [`Subject: soak ${id}`, `X-Soak-Id: ${id}`, ""];
  const count = 5 + Math.floor(rand() * 60);
  for (let i = 0; i < count; i++) lines.push(randomBytes(10 + Math.floor(rand() * 50)).toString("base64"));
  return Buffer.from(lines.join("\r\n") + "\r\n");
}

/** uid → X-Soak-Id of every message in the user's INBOX, as IMAP shows it now. */
async function uidMap(port: number, user: string): Promise<Map<number, string>> {
  const c = await ImapLineClient.connect({ port }, { timeoutMs: REPLY_BOUND_MS });
  try {
    c.send(`a LOGIN ${user} ${user}-pw\r\nb EXAMINE INBOX\r\nc UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (X-SOAK-ID)])\r\n`);
    await c.until("a");
    await c.until("b");
    const r = await c.until("c");
    const map = new Map<number, string>();
    for (const response of r.untagged) {
      const uid = /UID (\d+)/.exec(response)?.[1];
      const id = /X-Soak-Id: (\S+)/i.exec(response)?.[1];
      if (uid && id) map.set(Number(uid), id);
    }
    return map;
  } finally {
    c.close();
  }
}

async function uidValidity(port: number, user: string): Promise<number> {
  const c = await ImapLineClient.connect({ port }, { timeoutMs: REPLY_BOUND_MS });
  try {
    c.send(`a LOGIN ${user} ${user}-pw\r\n`);
    await c.until("a");
    c.send("b STATUS INBOX (UIDVALIDITY)\r\n");
    const r = await c.until("b");
    const match = /UIDVALIDITY (\d+)/.exec(r.untagged.join(" "));
    if (!match) throw new Error(`no UIDVALIDITY in ${r.untagged.join(" ")}`);
    return Number(match[1]);
  } finally {
    c.close();
  }
}

export async function killDuringDelivery(options: DurabilityOptions): Promise<DurabilityResult> {
  const started = performance.now();
  const rand = seededRandom(options.seed);
  const users = ["alice", "bob"];
  let server = await spawnServer(options.dataDir);
  const validityBefore = new Map<string, number>();
  for (const user of users) validityBefore.set(user, await uidValidity(server.ports.imap, user));

  const sent = new Map<string, { user: string; body: Buffer }>();
  const acknowledged = new Set<string>();
  let next = 0;
  let restarting: Promise<void> | null = null;

  // Kill moments: after these many acknowledgements, spread over the run.
  // A client that sees the server die waits for `restarting`, then carries on with its next message.
  const killAt = Array.from({ length: options.kills }, () => Math.floor(rand() * options.deliveries * 0.9)).sort((a, b) => a - b);
  let kills = 0;
  // Every uid → message pairing seen after each restart; later snapshots and the final store must agree with all of them.
  const seen = new Map<string, Map<number, string>>(users.map((u) => [u, new Map()]));
  const uidsChanged: string[] = [];
  const remember = async () => {
    for (const user of users) {
      const known = seen.get(user)!;
      for (const [uid, id] of await uidMap(server.ports.imap, user)) {
        if (known.has(uid) && known.get(uid) !== id) uidsChanged.push(`${user} UID ${uid} was ${known.get(uid)}, later ${id}`);
        known.set(uid, id);
      }
    }
  };
  let killing = false;
  const maybeKill = async () => {
    if (kills >= killAt.length || acknowledged.size < killAt[kills]! || killing) return;
    kills++;
    killing = true;
    // The other clients keep delivering meanwhile: the kill must land mid-delivery, not on an idle server.
    await new Promise((r) => setTimeout(r, Math.floor(rand() * 8)));
    const exited = once(server.child, "exit");
    server.child.kill("SIGKILL");
    restarting = (async () => {
      await exited;
      server = await spawnServer(options.dataDir);
      // What the restarted server shows, before anyone delivers again; the next snapshot and the final store must agree.
      await remember();
    })();
    await restarting;
    restarting = null;
    killing = false;
  };

  const client = async (): Promise<void> => {
    let c: LineClient | null = null;
    while (next < options.deliveries) {
      const n = next++;
      const id = `m${n}-${randomBytes(4).toString("hex")}`;
      const user = users[n % users.length]!;
      const body = messageFor(id, rand);
      sent.set(id, { user, body });
      try {
        if (restarting) await restarting;
        if (!c || c.isEnded) {
          c?.close();
          c = await LineClient.connect({ port: server.ports.smtp }, { timeoutMs: REPLY_BOUND_MS });
          if ((await readSmtpReply(c)).code !== 220) throw new Error("no greeting");
          c.send("EHLO soak.test\r\n");
          await readSmtpReply(c);
        }
        c.send(`MAIL FROM:<soak@soak.test>\r\nRCPT TO:<${user}@example.test>\r\nDATA\r\n`);
        for (const expected of [250, 250, 354]) {
          const r = await readSmtpReply(c);
          if (r.code !== expected) throw new Error(`expected ${expected}, got ${r.lines.join(" ")}`);
        }
        c.send(Buffer.concat([body, Buffer.from(".\r\n")]));
        const r = await readSmtpReply(c);
        if (r.code === 250) acknowledged.add(id);
      } catch {
        // The server died under us: this message may or may not be stored, but it was never acknowledged.
        c?.close();
        c = null;
        if (restarting) await restarting;
        else await new Promise((r) => setTimeout(r, 20));
      }
      await maybeKill();
    }
    c?.close();
  };
  await Promise.all(Array.from({ length: options.clients }, client));

  await remember();
  const validityAfter = new Map<string, number>();
  for (const user of users) validityAfter.set(user, await uidValidity(server.ports.imap, user));
  server.child.kill("SIGTERM");
  await once(server.child, "exit");

  // Read the store directly, as a fresh process would after the last restart.
  const { openMaildirStore } = await import("../../reference-server/store/maildir-store.ts");
  const store = await openMaildirStore(`${options.dataDir}/mail`);
  const found = new Map<string, Buffer>();
  const corrupt: string[] = [];
  let duplicateUids = 0;
  let stored = 0;
  for (const user of users) {
    const mailbox = await store.mailbox(user, "INBOX");
    const status = await mailbox.status();
    duplicateUids += status.messages.length - new Set(status.messages.map((m) => m.uid)).size;
    for (const m of status.messages) {
      stored++;
      const bytes = await mailbox.read(m.uid);
      const id = /X-Soak-Id: (\S+)/.exec(bytes.toString("latin1"))?.[1];
      const original = id ? sent.get(id) : undefined;
      if (!id || !original) {
        corrupt.push(`${user} uid ${m.uid}: not a message any client sent (${bytes.length} octets)`);
        continue;
      }
      const trace = bytes.subarray(0, bytes.length - original.body.length).toString("latin1");
      const intact = bytes.subarray(bytes.length - original.body.length).equals(original.body) && /^Return-Path: [^\r\n]*\r\n(Received: [^\r\n]*\r\n(\s[^\r\n]*\r\n)*)+$/.test(trace);
      if (!intact || original.user !== user) corrupt.push(`${user} uid ${m.uid}: ${id} differs from what was sent`);
      if (m.size !== bytes.length) corrupt.push(`${user} uid ${m.uid}: size ${m.size} but ${bytes.length} octets stored`);
      found.set(id, bytes);
    }
  }
  for (const user of users) {
    const final = new Map<string, number>();
    const mailbox = await store.mailbox(user, "INBOX");
    for (const m of (await mailbox.status()).messages) {
      const id = /X-Soak-Id: (\S+)/.exec((await mailbox.read(m.uid)).toString("latin1"))?.[1];
      if (id) final.set(id, m.uid);
    }
    for (const [uid, id] of seen.get(user)!) if (final.get(id) !== uid) uidsChanged.push(`${user}: ${id} had UID ${uid}, now ${final.get(id) ?? "missing"}`);
  }
  const lost = [...acknowledged].filter((id) => !found.has(id));
  const uidValidityChanged = users.filter((u) => validityBefore.get(u) !== validityAfter.get(u)).map((u) => `${u}: ${validityBefore.get(u)} → ${validityAfter.get(u)}`);
  return { deliveries: options.deliveries, acknowledged: acknowledged.size, kills, stored, lost, corrupt, duplicateUids, uidsChanged, uidsChecked: [...seen.values()].reduce((n, m) => n + m.size, 0), uidValidityChanged, ms: performance.now() - started };
}
