// A work copy: the sources a run needs, copied from the working tree (so
// uncommitted edits count) into a temporary folder, node_modules as a
// symlink. No dist/, so bin/mailconform.js runs the TypeScript sources through
// tsx and sees each mutant; no .git, no reports. One copy per job: a mutant is
// written into its copy and the original text put back before the next one.
// Standards: none (tooling).

import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { COPIED, applyEdits, type Edit } from "./corpus.ts";

export interface WorkCopy {
  dir: string;
}

/** Every copy made and not yet removed: the exit handler removes them on Ctrl-C too. */
const live = new Set<string>();

/**
 * `count` identical copies: the first from the working tree, the others from
 * the first, so an edit made in the tree meanwhile (others keep working)
 * cannot make one copy differ from the one the baseline ran in.
 */
export function makeWorkCopies(root: string, count: number): WorkCopy[] {
  const copies: WorkCopy[] = [];
  for (let i = 0; i < count; i++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mailconform-mutants-"));
    live.add(dir);
    const from = copies[0]?.dir ?? root;
    for (const entry of COPIED) cpSync(path.join(from, entry), path.join(dir, entry), { recursive: true });
    symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    copies.push({ dir });
  }
  return copies;
}

export function removeWorkCopy(copy: WorkCopy): void {
  rmSync(copy.dir, { recursive: true, force: true });
  live.delete(copy.dir);
}

/** Synchronous, for an exit handler. */
export function removeAllWorkCopies(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

/**
 * Writes the mutant into the copy and returns the function that puts the
 * original text back. The edits were checked when the corpus was read; they
 * are applied again here to the copy's own text.
 */
export function applyMutant(copy: WorkCopy, edits: readonly Edit[]): () => void {
  const originals = new Map<string, string>();
  const read = (file: string) => {
    const text = readFileSync(path.join(copy.dir, file), "utf8");
    originals.set(file, text);
    return text;
  };
  const { texts, errors } = applyEdits(edits, read);
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join("; "));
  const restore = () => {
    for (const [file, text] of originals) writeFileSync(path.join(copy.dir, file), text);
  };
  try {
    for (const [file, text] of texts) writeFileSync(path.join(copy.dir, file), text);
  } catch (e) {
    restore();
    throw e;
  }
  return restore;
}
