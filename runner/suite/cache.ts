// The parsed-suite cache: a suite file that loaded without an error is kept
// as its AST (cache-entry.ts), so the next load skips YAML and the reading
// of the steps. An entry is used only when the loader's code
// (loader-fingerprint.ts), the suite's text and every fixture's content are
// what they were when it was written, and its checksum holds; anything else
// is a miss: the file is parsed as if there were no cache and, loaded
// cleanly, written again. A file with errors is never stored, so its
// messages always come from the parser.
//
// Two stores, looked up in order:
// - a compiled package's own: dist/suites-cache, written by bin/build-dist.js
//   for the bundled suites, keyed by the path under the package root, read-only;
// - the user's: $XDG_CACHE_HOME/mailconform/suites, else ~/.cache/mailconform/suites,
//   keyed by the file's absolute path and the loader. A folder that cannot be
//   written is no cache, silently.
// MAILCONFORM_NO_CACHE=1 (the CLI's --no-cache) turns both off.
// Standards: XDG Base Directory Specification 0.8 (XDG_CACHE_HOME).

import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ENTRY_FORMAT, encodeEntry, openEntry, sha256, type CachedSuite, type EntryKey } from "./cache-entry.ts";
import { loaderFingerprint } from "./loader-fingerprint.ts";

export type { CachedSuite } from "./cache-entry.ts";

/** Where a compiled build keeps its precomputed entries, beside dist/runner/: dist/suites-cache. */
const BUNDLED_STORE = new URL("../../suites-cache/", import.meta.url);
/** The package root, from dist/runner/suite/: the bundled store's keys are paths under it (suites/smtp/…). */
const PACKAGE_ROOT = new URL("../../../", import.meta.url);
/** In the bundled store: the fingerprint of the loader of the build that wrote it. */
export const LOADER_FILE = "LOADER";

export interface Store {
  dir: string;
  /** The folder keys are relative to (a package's root); absent: keyed by absolute path and loader. */
  root?: string;
  writable: boolean;
}

/** One suite file's look-up: the entry's AST on a hit, else `store` writes what the parser made of it. */
export interface Lookup {
  hit?: CachedSuite;
  store(read: CachedSuite, fixtures: readonly string[]): Promise<void>;
}

export class SuiteCache {
  readonly stores: readonly Store[];
  readonly loader: string;

  constructor(stores: readonly Store[], loader: string = loaderFingerprint()) {
    this.stores = stores;
    this.loader = loader;
  }

  /** The cache the environment asks for: none under MAILCONFORM_NO_CACHE, else the package's store (if built) and the user's. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): SuiteCache | undefined {
    if (cacheDisabled(env)) return undefined;
    const stores: Store[] = [];
    const bundled = bundledStore();
    if (bundled !== undefined) stores.push(bundled.store);
    const user = userCacheDir(env);
    if (user !== undefined) stores.push({ dir: user, writable: true });
    return new SuiteCache(stores, bundled?.loader);
  }

  /** Looks `file` (as shown in messages) up, its `text` just read. */
  async lookup(file: string, text: string): Promise<Lookup> {
    const absolute = path.resolve(file);
    const source = sha256(text);
    const keyed = this.stores.flatMap((store) => {
      const name = this.entryName(store, absolute);
      return name === undefined ? [] : [{ store, entry: path.join(store.dir, name) }];
    });
    for (const { entry } of keyed) {
      const hit = this.read(entry, file, source);
      if (hit !== undefined) return { hit, store: async () => {} };
    }
    return {
      store: async (read, fixtures) => {
        const target = keyed.find((k) => k.store.writable);
        if (target !== undefined) await this.write(target.store, target.entry, file, source, read, fixtures);
      },
    };
  }

  /** The entry file's name in `store`, or undefined when the store does not hold `absolute`. */
  private entryName(store: Store, absolute: string): string | undefined {
    if (store.root === undefined) return `${sha256(`${this.loader}\0${absolute}`).slice(0, 40)}.suite`;
    const relative = path.relative(store.root, absolute);
    if (relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
    return `${sha256(relative.split(path.sep).join("/")).slice(0, 40)}.suite`;
  }

  private read(entry: string, file: string, source: string): CachedSuite | undefined {
    try {
      // Read synchronously, as the fixtures below: a promise's file handle costs more than the read of a small file, and nothing waits on this thread while suites load.
      const opened = openEntry(readFileSync(entry));
      if (opened === undefined) return undefined;
      const { key } = opened;
      if (key.loader !== this.loader || key.source !== source) return undefined;
      if (!fixturesUnchanged(key.fixtures, path.dirname(path.resolve(file)))) return undefined;
      return opened.read(file);
    } catch {
      // Unreadable, missing or not an entry: a miss.
      return undefined;
    }
  }

  private async write(store: Store, entry: string, file: string, source: string, read: CachedSuite, fixtures: readonly string[]): Promise<void> {
    const temporary = `${entry}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      const dir = path.dirname(path.resolve(file));
      const fixtureKeys = await Promise.all(
        [...new Set(fixtures)].sort().map(async (fixture): Promise<[string, string]> => [path.relative(dir, fixture), sha256(await readFile(fixture))]),
      );
      const key: EntryKey = { format: ENTRY_FORMAT, loader: this.loader, source, fixtures: fixtureKeys };
      const bytes = encodeEntry(key, file, read);
      // A package's entry must hold no path of the machine it was built on: it is read wherever the package is installed.
      if (store.root !== undefined && bytes.includes(JSON.stringify(store.root).slice(1, -1))) return;
      await mkdir(store.dir, { recursive: true });
      await writeFile(temporary, bytes);
      // Renamed into place: a reader sees the old entry or the new one, never half of one.
      await rename(temporary, entry);
    } catch {
      // No cache is not an error: an unwritable folder, a full disk, an AST the markers cannot carry.
      await rm(temporary, { force: true }).catch(() => {});
    }
  }
}

function fixturesUnchanged(fixtures: EntryKey["fixtures"], dir: string): boolean {
  return fixtures.every(([relative, digest]) => sha256(readFileSync(path.resolve(dir, relative))) === digest);
}

/** MAILCONFORM_NO_CACHE set to anything but "" or "0". */
export function cacheDisabled(env: NodeJS.ProcessEnv): boolean {
  const value = env.MAILCONFORM_NO_CACHE;
  return value !== undefined && value !== "" && value !== "0";
}

/** $XDG_CACHE_HOME/mailconform/suites (a relative XDG_CACHE_HOME is ignored, as the specification says), else ~/.cache/mailconform/suites. */
export function userCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, "mailconform", "suites");
  const home = os.homedir();
  return home ? path.join(home, ".cache", "mailconform", "suites") : undefined;
}

/** The store of this build's own suites, when this code runs from a build that has one (its keys are relative to the package root). */
function bundledStore(): { store: Store; loader: string } | undefined {
  const dir = fileURLToPath(BUNDLED_STORE);
  if (!existsSync(dir)) return undefined;
  try {
    const loader = readFileSync(path.join(dir, LOADER_FILE), "utf8").trim();
    return { store: { dir, root: fileURLToPath(PACKAGE_ROOT), writable: false }, loader };
  } catch {
    return undefined;
  }
}
