// `mailconform record`: a transparent TCP proxy between any client and any
// server. Every byte is forwarded unchanged as it arrives; a SessionRecorder
// watches each session, and when the client session ends its skeleton is
// built and, after the last session, the suite file and its fixtures are written.
// Standards: none beyond the recorder's and the skeleton's.

import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { stringify } from "yaml";
import type { Protocol } from "../model/ast.ts";
import { SessionRecorder } from "./recorder.ts";
import { buildSkeleton, type Credentials, type Skeleton } from "./skeleton.ts";

export interface RecordOptions {
  listenPort: number;
  listenHost?: string;
  to: { host: string; port: number };
  protocol: Protocol;
  out: string;
  sessions: number;
  users: Credentials[];
  log?: (line: string) => void;
}

/** The protocol's base standard: a recorded test must name one; the author narrows it to sections. */
/**
 * What a skeleton rests on until its author says more: the protocol's RFC and
 * its sentence on what a reply is — the only thing a recorded expectation
 * checks (structure). The loader requires a quote; these are the RFCs' words.
 */
const BASE: Record<Protocol, { refs: string[]; quote: string }> = {
  smtp: {
    refs: ["RFC 5321 §4.2"],
    quote: "An SMTP reply consists of a three digit number (transmitted as three numeric characters) followed by some text unless specified otherwise in this document.",
  },
  lmtp: {
    refs: ["RFC 2033", "RFC 5321 §4.2"],
    quote: "An SMTP reply consists of a three digit number (transmitted as three numeric characters) followed by some text unless specified otherwise in this document.",
  },
  pop3: {
    refs: ["RFC 1939 §3"],
    quote: "Responses in the POP3 consist of a status indicator and a keyword possibly followed by additional information.",
  },
  imap: {
    refs: ["RFC 3501 §2.2.2"],
    quote: "The server completion result response indicates the success or failure of the operation.",
  },
};
/** A session that never ends (a client left open) must not keep the proxy from writing: idle sockets close. */
const IDLE_TIMEOUT_MS = 10 * 60_000;

export interface Recording {
  port: number;
  /** Resolves with the suite file once `sessions` client sessions ended (or close() was called). */
  done: Promise<string>;
  close(): Promise<string>;
}

export async function startRecording(options: RecordOptions): Promise<Recording> {
  const skeletons: Skeleton[] = [];
  const sockets = new Set<net.Socket>();
  let finished = 0;
  let written: string | undefined;
  let resolveDone!: (file: string) => void;
  const done = new Promise<string>((r) => (resolveDone = r));
  const base = path.basename(options.out).replace(/\.ya?ml$/i, "").replace(/[^A-Za-z0-9_-]+/g, "-") || "recorded";

  const write = (): string => {
    if (written) return written;
    written = options.out;
    writeSuite(options, skeletons, base);
    resolveDone(written);
    return written;
  };

  const server = net.createServer((client) => {
    const recorder = new SessionRecorder(options.protocol);
    const upstream = net.connect(options.to.port, options.to.host);
    sockets.add(client).add(upstream);
    let ended = false;
    const end = (by: "C" | "S") => {
      if (ended) return;
      ended = true;
      recorder.closed(by);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      skeletons.push(buildSkeleton(options.protocol, recorder.units, { users: options.users, fixturePrefix: `${base}-${skeletons.length + 1}` }));
      options.log?.(`session ${skeletons.length} recorded (${recorder.units.length} units)`);
      finished++;
      if (finished >= options.sessions) {
        write();
        server.close();
      }
    };
    for (const s of [client, upstream]) s.setTimeout(IDLE_TIMEOUT_MS, () => s.destroy());
    client.on("data", (chunk: Buffer) => {
      recorder.feed("C", chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      recorder.feed("S", chunk);
      client.write(chunk);
    });
    // A half-close is passed on; the session is over when either side is gone.
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
    client.on("close", () => end("C"));
    upstream.on("close", () => end("S"));
    client.on("error", () => end("C"));
    upstream.on("error", (e) => {
      options.log?.(`upstream ${options.to.host}:${options.to.port}: ${e.message}`);
      end("S");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.listenPort, options.listenHost ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    done,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      return write();
    },
  };
}

function writeSuite(options: RecordOptions, skeletons: readonly Skeleton[], base: string): void {
  const dir = path.dirname(path.resolve(options.out));
  mkdirSync(dir, { recursive: true });
  for (const s of skeletons) {
    for (const f of s.fixtures) {
      mkdirSync(path.join(dir, path.dirname(f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.bytes);
    }
  }
  const id = base.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "") || "recorded";
  const doc = {
    protocol: options.protocol,
    title: `Recorded ${options.protocol.toUpperCase()} sessions (${base})`,
    description: `Recorded by mailconform record from ${options.to.host}:${options.to.port}. Expectations check structure only; give each test a real id, title, RFC sections, quote and level before use.`,
    tests: skeletons.map((s, i) => ({
      id: `recorded.${options.protocol}.${id}.session-${i + 1}`,
      title: `Recorded session ${i + 1}`,
      refs: BASE[options.protocol].refs,
      level: "MUST",
      quote: BASE[options.protocol].quote,
      steps: s.steps.length > 0 ? s.steps : [{ connect: true }],
    })),
  };
  const notes = skeletons.flatMap((s, i) => s.notes.map((n) => `# session ${i + 1}: ${n}`));
  const schema = path.relative(dir, path.join(PACKAGE_SCHEMA)).split(path.sep).join("/");
  const header = [`# yaml-language-server: $schema=${schema}`, ...notes].join("\n");
  writeFileSync(options.out, header + "\n" + stringify(doc, { lineWidth: 0 }));
}

// The shipped schema's stable path (package.json "exports"), the same from the sources and from dist/.
const PACKAGE_SCHEMA = new URL(import.meta.resolve("mailconform/schema/suite.schema.json")).pathname;
