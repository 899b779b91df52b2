import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEarly } from "../../cli/run.ts";
import { BUNDLED_JOBS, bundledConfig, startReferenceTarget, startReferenceTargetThread, throwawayDataParent } from "../../cli/reference-target.ts";
import { defaultConfig } from "../../reference-server/config/defaults.ts";
import type { AcquiredTarget, TargetSource } from "../../runner/run/target-source.ts";
import type { Target } from "../../runner/model/target.ts";

/** Listening sockets of this thread (a server on a worker thread has none here). */
const listenersHere = () => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap" || r === "PipeServerWrap").length;

/** The first line the server sends on a fresh connection to `port`. */
function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1");
      if (text.includes("\r\n")) {
        socket.destroy();
        resolve(text.slice(0, text.indexOf("\r\n")));
      }
    });
    socket.on("error", reject);
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.on("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });
}

describe("cli/reference-target", function () {
  this.timeout(60_000);

  it("runs the bundled server on a worker thread: it answers, listens on no socket of this thread, and is gone with its data after release", async function () {
    const before = listenersHere();
    const acquired = await startReferenceTargetThread();
    let released = false;
    try {
      const { target } = acquired;
      expect(listenersHere()).to.equal(before);
      expect(await greeting(target.endpoints.smtp!.port)).to.match(/^220 /);
      expect(await greeting(target.endpoints.pop3!.port)).to.match(/^\+OK/);
      expect(await greeting(target.endpoints.imap!.port)).to.match(/^\* OK/);
      expect(target.users.length).to.be.greaterThan(2);
      const socket = target.endpoints.lmtp?.socket;
      await acquired.release();
      released = true;
      expect(await refused(target.endpoints.smtp!.port)).to.equal(true);
      if (socket !== undefined) expect(existsSync(path.dirname(socket))).to.equal(false);
    } finally {
      if (!released) await acquired.release();
    }
  });

  it("makes the bundled server a throwaway one (its data is deleted at the end: no fsync), while `serve`'s default stays durable", async function () {
    expect((await bundledConfig("/tmp/data")).store).to.deep.equal({ durable: false });
    expect(defaultConfig().store).to.deep.equal({ durable: true });
  });

  it("keeps the throwaway data on a memory file system with room (TMPDIR first), else in TMPDIR", async function () {
    const TMPFS = 0x01021994;
    const EXT4 = 0xef53;
    const fake = (types: Record<string, { type: number; freeMiB: number }>) =>
      (async (dir: string) => {
        const fs = types[dir];
        if (fs === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        return { type: fs.type, bsize: 4096, bavail: (fs.freeMiB * 1024 * 1024) / 4096 };
      }) as unknown as Parameters<typeof throwawayDataParent>[1];
    // A writable directory other than TMPDIR (the fallback), so access() passes; only the fake statfs says what it is.
    const shm = await mkdtemp(path.join(tmpdir(), "mc-memory-fs-"));
    try {
      expect(await throwawayDataParent(["/nonexistent-tmp", shm], fake({ [shm]: { type: TMPFS, freeMiB: 2048 } }))).to.equal(shm);
      expect(await throwawayDataParent(["/nonexistent-tmp", shm], fake({ [shm]: { type: EXT4, freeMiB: 2048 } }))).to.equal(tmpdir());
      // A small tmpfs (Docker's 64 MiB /dev/shm) is passed over.
      expect(await throwawayDataParent(["/nonexistent-tmp", shm], fake({ [shm]: { type: TMPFS, freeMiB: 64 } }))).to.equal(tmpdir());
      // One this process cannot write in is passed over too.
      const gone = path.join(shm, "mailconform-no-such-dir");
      expect(await throwawayDataParent([gone, shm], fake({ [gone]: { type: TMPFS, freeMiB: 2048 }, [shm]: { type: TMPFS, freeMiB: 2048 } }))).to.equal(shm);
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
    // The server's data directory is made there (its LMTP socket is in it).
    const here = await startReferenceTarget();
    try {
      const socket = here.target.endpoints.lmtp?.socket;
      if (socket !== undefined) expect(path.dirname(path.dirname(socket))).to.equal(await throwawayDataParent());
    } finally {
      await here.release();
    }
  });

  it("gives the same target shape on the thread as in this thread (only the ports differ)", async function () {
    const shape = (t: Target) =>
      JSON.parse(JSON.stringify(t, (key, value) => (key === "port" || key === "implicitTlsPort" ? 0 : key === "socket" ? "socket" : value))) as unknown;
    const here = await startReferenceTarget();
    const there = await startReferenceTargetThread();
    try {
      expect(listenersHere()).to.be.greaterThan(0);
      expect(shape(there.target)).to.deep.equal(shape(here.target));
      // Its data goes with it: the run does not sweep it.
      expect([here.disposable, there.disposable]).to.deep.equal([true, true]);
      // Two users for each of the BUNDLED_JOBS slots, so every job runs on users of its own.
      expect(here.target.users.length).to.be.at.least(2 * BUNDLED_JOBS);
    } finally {
      await Promise.all([here.release(), there.release()]);
    }
  });
});

describe("cli/run startEarly", function () {
  const fakeTarget = { name: "fake" } as Target;
  const source = (start: () => Promise<AcquiredTarget>): TargetSource => ({ kind: "started", start });

  it("starts a started target at once, hands that same start to the run, and stops nothing the run took", async function () {
    let starts = 0;
    let releases = 0;
    const acquired: AcquiredTarget = { target: fakeTarget, release: async () => void releases++ };
    const early = startEarly(
      source(async () => {
        starts++;
        return acquired;
      }),
    );
    expect(starts).to.equal(1);
    if (early.source.kind !== "started") throw new Error("expected a started source");
    expect(await early.source.start()).to.equal(acquired);
    expect(starts).to.equal(1);
    await early.stop();
    expect(releases).to.equal(0);
  });

  it("releases a target the run never took (a suite error, nothing matched)", async function () {
    let releases = 0;
    const early = startEarly(source(async () => ({ target: fakeTarget, release: async () => void releases++ })));
    await early.stop();
    await early.stop();
    expect(releases).to.equal(1);
  });

  it("leaves a failed start to the run that takes it, and to nobody when none does", async function () {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const failing = () => startEarly(source(() => Promise.reject(new Error("no server"))));
      const untaken = failing();
      const taken = failing();
      await new Promise((resolve) => setImmediate(resolve));
      await untaken.stop();
      if (taken.source.kind !== "started") throw new Error("expected a started source");
      let error: unknown;
      await taken.source.start().catch((e: unknown) => (error = e));
      expect((error as Error).message).to.equal("no server");
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("passes a file or flags target through untouched", async function () {
    const file: TargetSource = { kind: "file", file: "lab.yaml" };
    expect(startEarly(file).source).to.equal(file);
  });
});
