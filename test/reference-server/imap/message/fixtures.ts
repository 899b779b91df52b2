// Loads the .eml fixtures of this folder (the lecture's example mails and
// their relatives) and builds small inline messages with CRLF line ends.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseMessage, type ParsedMessage } from "../../../../reference-server/imap/message/index.ts";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");

export function fixtureBytes(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

export function fixture(name: string): ParsedMessage {
  return parseMessage(fixtureBytes(name));
}

/** An inline message: "\n" becomes CRLF, characters map to octets 1:1 (latin1), so "ü" is one 8-bit octet. */
export function crlf(text: string): Buffer {
  return Buffer.from(text.replace(/\r?\n/g, "\r\n"), "latin1");
}
