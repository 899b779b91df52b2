// libmime's decoders behind one door, loaded on first use: libmime brings
// iconv-lite and encoding-japanese, whose tables cost ~70 ms of CPU at
// start-up, and only SEARCH, SORT and THREAD on non-ASCII text need them.
// Loaded synchronously (its CommonJS build) because the callers are.
// Standards: RFC 2047 (encoded-words), RFC 2046 §4.1.2 (charset).

import { createRequire } from "node:module";

type Libmime = typeof import("libmime").default;
type Charset = typeof import("libmime/lib/charset.js");

let loaded: { libmime: Libmime; charset: Charset } | undefined;

function lib(): { libmime: Libmime; charset: Charset } {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url);
    loaded = { libmime: require("libmime") as Libmime, charset: require("libmime/lib/charset.js") as Charset };
  }
  return loaded;
}

/** Header text with RFC 2047 encoded-words decoded; text libmime cannot decode is kept as it is. */
export function decodeWords(text: string): string {
  // Nothing to decode without "=?": the common case never loads libmime.
  if (!text.includes("=?")) return text;
  try {
    return lib().libmime.decodeWords(text);
  } catch {
    return text;
  }
}

/** Octets in a named charset as text (iconv-lite's charsets). */
export function decodeCharset(octets: Buffer, charset: string): string {
  return lib().charset.decode(octets, charset);
}
