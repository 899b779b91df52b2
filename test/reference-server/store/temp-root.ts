// A fresh data directory per test under os.tmpdir(), removed afterwards, so
// store tests touch real files and never each other's. The root sits inside
// its own parent directory, so a test can check nothing was written beside it.

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface TempRoot {
  /** The store's data directory (not created yet). */
  root: string;
  /** Its private parent; nothing but `root` may ever appear in it. */
  parent: string;
  remove(): Promise<void>;
}

export async function makeTempRoot(): Promise<TempRoot> {
  const parent = await mkdtemp(path.join(os.tmpdir(), "mailconform-store-"));
  return {
    root: path.join(parent, "data"),
    parent,
    remove: () => rm(parent, { recursive: true, force: true }),
  };
}
