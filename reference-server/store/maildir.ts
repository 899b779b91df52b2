// The Maildir layout on disk: the tmp/ new/ cur/ directories, unique message
// file names, the ":2," info suffix, and reading which messages a Maildir
// holds. It knows nothing of UIDs (uid-list.ts) or of how a message is
// written (deliver.ts).
// Standards: Maildir (cr.yp.to/proto/maildir.html), Maildir++ folders, Dovecot's ",S=<size>" name field.

import { mkdirSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { mkdir, readdir, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { DIR_MODE, FILE_MODE, fsyncDir, isMissing } from "./durable.ts";

export type Subdir = "tmp" | "new" | "cur";

/**
 * Files left in tmp/ longer than this are debris of a crashed write and are
 * removed when the mailbox is opened. The Maildir specification says 36 hours:
 * long enough that no writer is still busy with them.
 */
export const TMP_DEBRIS_AGE_MS = 36 * 60 * 60 * 1000;

/** Maildir++ marks a folder with this empty file (Courier, Dovecot and we create it). */
export const FOLDER_MARKER = "maildirfolder";

/** Creates tmp/, new/ and cur/ (and the folder marker) if missing, and makes them durable. */
export async function ensureMaildir(maildir: string, isFolder: boolean): Promise<void> {
  const created = await mkdir(maildir, { recursive: true, mode: DIR_MODE });
  let changed = created !== undefined;
  for (const sub of ["tmp", "new", "cur"] satisfies Subdir[]) {
    if ((await mkdir(path.join(maildir, sub), { recursive: true, mode: DIR_MODE })) !== undefined) changed = true;
  }
  if (isFolder) {
    await writeFile(path.join(maildir, FOLDER_MARKER), "", { flag: "a", mode: FILE_MODE });
  }
  if (changed) await fsyncDir(maildir);
  if (created !== undefined) {
    // Every directory mkdir created must be durable in its parent too.
    let dir = maildir;
    for (;;) {
      await fsyncDir(path.dirname(dir));
      if (dir === created || path.dirname(dir) === dir) break;
      dir = path.dirname(dir);
    }
  }
}

// The host part must not contain "/" (path) or ":" (starts the info); ","
// starts Dovecot-style fields such as ",S=". The spec escapes them as octal.
function safeHost(): string {
  return hostname().replace(/\//g, "\\057").replace(/:/g, "\\072").replace(/,/g, "\\054") || "localhost";
}

const HOST = safeHost();
let deliveries = 0;

/**
 * A unique base name, "<sec>.M<usec>P<pid>Q<n>R<random>.<host>,S=<size>": the
 * time, the process, a per-process counter and 64 random bits make two names
 * equal only if everything collides at once. ",S=" is Dovecot's size field,
 * so Dovecot and other tools reading this Maildir need no stat per message
 * (we keep sizes in the uid list ourselves). Names start with the time, so
 * sorting them sorts by arrival.
 */
export function uniqueBaseName(size: number): string {
  const micros = BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
  const seconds = micros / 1_000_000n;
  const usec = micros % 1_000_000n;
  deliveries += 1;
  const random = randomBytes(8).toString("hex");
  // Microseconds zero-padded: unpadded, "M95000" sorts after "M105000", and a rebuilt list would
  // number two deliveries of one second against their arrival order (a test saw it under load).
  return `${seconds}.M${usec.toString().padStart(6, "0")}P${process.pid}Q${deliveries}R${random}.${HOST},S=${size}`;
}

/** Splits "base:2,INFO" into its base (the message's identity) and info letters. */
export function splitFileName(file: string): { base: string; info: string } {
  const colon = file.indexOf(":");
  if (colon < 0) return { base: file, info: "" };
  const suffix = file.slice(colon + 1);
  return { base: file.slice(0, colon), info: suffix.startsWith("2,") ? suffix.slice(2) : "" };
}

/** The file name of a message in cur/ with the given info letters. */
export function curFileName(base: string, info: string): string {
  return `${base}:2,${info}`;
}

export interface MessageFile {
  sub: "new" | "cur";
  file: string;
  info: string;
}

/**
 * Every message file in new/ and cur/, by base name. Names starting with "."
 * are not messages (the spec reserves them). new/ is read first: a message
 * another program moves from new/ to cur/ between the two reads is then seen
 * twice rather than not at all (which would look like an expunge). If a base
 * shows up in both directories, the cur/ one wins. `synchronously` (for
 * small directories, see stampDir): a few hundred entries take well under a
 * millisecond, less than an asynchronous read waits behind other sessions' fsyncs.
 */
export async function listMessageFiles(maildir: string, synchronously = false): Promise<Map<string, MessageFile>> {
  if (synchronously) return listMessageFilesNow(maildir);
  const found = new Map<string, MessageFile>();
  for (const sub of ["new", "cur"] as const) addMessageFiles(found, sub, await readdir(path.join(maildir, sub)));
  return found;
}

/** listMessageFiles without leaving the event loop's thread (small directories, see above). */
export function listMessageFilesNow(maildir: string): Map<string, MessageFile> {
  const found = new Map<string, MessageFile>();
  for (const sub of ["new", "cur"] as const) addMessageFiles(found, sub, readdirSync(path.join(maildir, sub)));
  return found;
}

function addMessageFiles(found: Map<string, MessageFile>, sub: "new" | "cur", files: readonly string[]): void {
  for (const file of files) {
    if (file.startsWith(".")) continue;
    const { base, info } = splitFileName(file);
    const seen = found.get(base);
    if (base.length === 0 || (seen !== undefined && (sub === "new" || seen.sub === "cur"))) continue;
    found.set(base, { sub, file, info: sub === "new" ? "" : info });
  }
}

/**
 * Margin for a directory's timestamps to be trusted: a file system records
 * them in ticks (nanoseconds on ext4, 1 s on some, 2 s on FAT), so a change
 * within the tick of the last one leaves them as they were.
 */
export const DIR_SETTLE_MS = 2000;

/**
 * What a directory's entries last changed at, taken before listing it. Every
 * entry added, removed or renamed moves the directory's mtime and ctime, so
 * an equal `key` later means equal entries — if the stamp is `settled`: any
 * change after it gets other times. That holds at once where the file system
 * restamps every change made after its times were read (restampsEveryChange),
 * and otherwise once the times were DIR_SETTLE_MS behind the clock when the
 * stamp was taken, so any change after it falls in a later tick. (This assumes
 * a local file system, whose clock is the process's and does not step back by
 * more than a second; NFS may serve cached directory times.)
 */
export interface DirStamp {
  key: string;
  settled: boolean;
}

/**
 * Stamps `dir`; `now` is read before the stat, as a change may land while it runs.
 * Synchronous on purpose: a directory's inode of a mailbox in use is in memory, so the
 * stat takes microseconds, while an asynchronous one waits in the thread pool behind
 * other sessions' fsyncs — with the mailbox lock held (mailbox.ts status()).
 * `restamped` (default: what the directory's file system was seen to do) says whether
 * every change after this stat is sure to move the times.
 */
export function stampDir(dir: string, now = Date.now(), restamped?: boolean): DirStamp {
  const info = statSync(dir, { bigint: true });
  const newest = info.mtimeNs > info.ctimeNs ? info.mtimeNs : info.ctimeNs;
  // The device's answer is looked up before path.dirname is paid for: status() stamps two directories per look.
  const settled = (restamped ?? restampingByDevice.get(info.dev) ?? restampsEveryChange(path.dirname(dir), info.dev)) || newest <= BigInt(Math.floor(now) - DIR_SETTLE_MS) * 1_000_000n;
  return { key: `${info.dev}:${info.ino}:${info.mtimeNs}:${info.ctimeNs}`, settled };
}

/** Changes the probe makes, and how many of them must prove sub-tick times (see below). */
const RESTAMP_PROBE_CHANGES = 125;
const RESTAMP_PROBE_FINE_PAIRS = 16;
/** Closer than any two ticks of a clock that advances in ticks of 1 ms or more. */
const SUB_TICK_NS = 500_000n;
const restampingByDevice = new Map<bigint, boolean>();

/**
 * Whether directories on the file system of `maildir` get new times for every change made
 * after their times were read, however soon. File systems store nanoseconds but take the
 * time from a clock that advances in ticks of 1–10 ms (the kernel's jiffy), so two changes
 * within a tick used to share their times; since Linux 6.13, some file systems (ext4 among
 * them; tmpfs not for removals, as measured) give a change a finer time than any the stat
 * before it saw ("multigrain timestamps"). Nothing announces which is the case, so it is
 * measured once per device, in a directory made for it
 * under tmp/: RESTAMP_PROBE_CHANGES changes, each right after a stat, must each move the
 * times, and at least RESTAMP_PROBE_FINE_PAIRS of them by less than SUB_TICK_NS — which times
 * taken from a ticking clock never do (they are equal or a whole tick apart), however loaded
 * the machine. Failing only costs listings (the DIR_SETTLE_MS wait).
 */
export function restampsEveryChange(maildir: string, device: bigint): boolean {
  let known = restampingByDevice.get(device);
  if (known === undefined) {
    known = probeRestamping(maildir);
    restampingByDevice.set(device, known);
  }
  return known;
}

function probeRestamping(maildir: string): boolean {
  const probe = path.join(maildir, "tmp", `.restamp-probe.${process.pid}.${randomBytes(4).toString("hex")}`);
  const [file, renamed, outside] = [path.join(probe, "a"), path.join(probe, "b"), `${probe}.out`];
  // What a Maildir's new/ and cur/ see: a file made, renamed inside, moved out, moved in, removed.
  const changes = [
    () => writeFileSync(file, ""),
    () => renameSync(file, renamed),
    () => renameSync(renamed, outside),
    () => renameSync(outside, file),
    () => unlinkSync(file),
  ];
  const times = () => statSync(probe, { bigint: true });
  try {
    mkdirSync(probe);
  } catch {
    return false;
  }
  try {
    let before = times();
    let finePairs = 0;
    for (let i = 0; i < RESTAMP_PROBE_CHANGES; i++) {
      changes[i % changes.length]!();
      const after = times();
      if (after.mtimeNs === before.mtimeNs || after.ctimeNs === before.ctimeNs) return false;
      if (after.ctimeNs - before.ctimeNs < SUB_TICK_NS) finePairs += 1;
      before = after;
    }
    return finePairs >= RESTAMP_PROBE_FINE_PAIRS;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
    rmSync(outside, { force: true });
  }
}

/** Finds one message's file again after it moved (flag change, new/ → cur/); null if it is gone. */
export async function locateMessageFile(maildir: string, base: string): Promise<MessageFile | null> {
  return (await listMessageFiles(maildir)).get(base) ?? null;
}

/** Size, modification and change time of a message file, or null if it vanished meanwhile. */
export async function statMessageFile(file: string): Promise<{ size: number; mtimeMs: number; ctimeMs: number } | null> {
  try {
    const info = await stat(file);
    return { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs };
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/**
 * Removes tmp/ files older than TMP_DEBRIS_AGE_MS; younger ones may still be
 * being written. Age is the ctime: a staged append already carries its
 * (possibly old) internal date as mtime, while ctime is when it was written.
 */
export async function removeTmpDebris(maildir: string, now = Date.now()): Promise<void> {
  const tmp = path.join(maildir, "tmp");
  for (const entry of await readdir(tmp, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(tmp, entry.name);
    const info = await statMessageFile(file);
    if (info !== null && now - info.ctimeMs > TMP_DEBRIS_AGE_MS) {
      await unlink(file).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
    }
  }
}
