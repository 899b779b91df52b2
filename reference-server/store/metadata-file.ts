// The small files the store keeps beside the mail — subscriptions, a
// mailbox's special-use attributes, its MAILBOXID — are read on every LIST
// and SELECT. They hold a few octets and sit in the page cache, so they are
// read synchronously: microseconds of the event loop, where an asynchronous
// read (open, fstat, read, close: four thread-pool jobs) waits behind other
// sessions' fsyncs whenever the pool is busy with them.
// Standards: none (local file access).

import { readFileSync, statSync } from "node:fs";
import { isMissing } from "./durable.ts";

/** The file's text, or null when it does not exist. */
export function readMetadataFile(file: string, encoding: "utf8" | "latin1"): string | null {
  // Most are missing (a mailbox without special-use attributes; LIST asks for each mailbox's): a stat that
  // says so costs under a microsecond, a failed read builds and throws an ENOENT error (6–17 µs, profiled
  // under bench/pop3-imap-throughput.ts). Other stat errors still throw.
  if (statSync(file, { throwIfNoEntry: false }) === undefined) return null;
  try {
    return readFileSync(file, encoding);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}
