// SASLprep, the stringprep profile SCRAM applies to user names and passwords
// before hashing: non-ASCII spaces become SPACE, "commonly mapped to nothing"
// characters go, the result is NFKC-normalised, and prohibited code points
// fail. Shared by the runner (SCRAM client) and the reference server.
// Two narrowings, both on the side of refusing: NFKC and "unassigned" use the
// Unicode version of this Node, not Unicode 3.2; and a string with right-to-left
// characters is refused rather than put through the RFC 3454 §6 bidi rules
// (RFC 5802 §2.2 allows disallowing non-ASCII code points altogether).
// Standards: RFC 4013 §2 (SASLprep), RFC 3454 §3–§7 (tables B.1, C.1.2–C.9), RFC 5802 §2.2.

/** RFC 3454 C.1.2: non-ASCII space characters, mapped to U+0020 (RFC 4013 §2.1). */
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu;
/** RFC 3454 B.1: commonly mapped to nothing (RFC 4013 §2.1). */
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu;

/** RFC 3454 C.2.1–C.9 as RFC 4013 §2.3 lists them (C.1.2 spaces are mapped away before this check). */
const PROHIBITED = new RegExp(
  [
    "[\\u0000-\\u001F\\u007F]", // C.2.1 ASCII control
    "[\\u0080-\\u009F\\u06DD\\u070F\\u180E\\u200C\\u200D\\u2028\\u2029\\u2060-\\u2063\\u206A-\\u206F\\uFEFF\\uFFF9-\\uFFFC\\u{1D173}-\\u{1D17A}]", // C.2.2
    "[\\uE000-\\uF8FF\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}]", // C.3 private use
    "[\\uFDD0-\\uFDEF\\uFFFE\\uFFFF\\u{1FFFE}\\u{1FFFF}\\u{2FFFE}\\u{2FFFF}\\u{3FFFE}\\u{3FFFF}\\u{4FFFE}\\u{4FFFF}\\u{5FFFE}\\u{5FFFF}\\u{6FFFE}\\u{6FFFF}\\u{7FFFE}\\u{7FFFF}\\u{8FFFE}\\u{8FFFF}\\u{9FFFE}\\u{9FFFF}\\u{AFFFE}\\u{AFFFF}\\u{BFFFE}\\u{BFFFF}\\u{CFFFE}\\u{CFFFF}\\u{DFFFE}\\u{DFFFF}\\u{EFFFE}\\u{EFFFF}\\u{FFFFE}\\u{FFFFF}\\u{10FFFE}\\u{10FFFF}]", // C.4
    "[\\uD800-\\uDFFF]", // C.5 surrogate code points (lone ones; pairs are read as one code point)
    "[\\uFFF9-\\uFFFD]", // C.6 inappropriate for plain text
    "[\\u2FF0-\\u2FFB]", // C.7 inappropriate for canonical representation
    "[\\u0340\\u0341\\u200E\\u200F\\u202A-\\u202E\\u206A-\\u206F]", // C.8 change display properties
    "[\\u{E0001}\\u{E0020}-\\u{E007F}]", // C.9 tagging characters
  ].join("|"),
  "u",
);

/** Right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, … and their presentation forms): RFC 3454 D.1's ranges, coarsely. */
const RIGHT_TO_LEFT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFE\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;

/** Unassigned code points (General_Category Cn), prohibited in stored strings (RFC 3454 §7). */
const UNASSIGNED = /\p{Cn}/u;

export class SaslprepError extends Error {}

/**
 * The prepared string. `stored`: a stored string (a password), where
 * unassigned code points are prohibited; a query string (a user name) allows
 * them (RFC 5802 §5.1). Throws SaslprepError for a prohibited character.
 */
export function saslprep(input: string, kind: "stored" | "query"): string {
  // An all-ASCII string without controls is its own preparation: the common case, exactly.
  if (/^[\x20-\x7E]*$/.test(input)) return input;
  const mapped = input.replace(NON_ASCII_SPACE, " ").replace(MAPPED_TO_NOTHING, "");
  const normalised = mapped.normalize("NFKC");
  const prohibited = PROHIBITED.exec(normalised);
  if (prohibited) throw new SaslprepError(`prohibited character U+${prohibited[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`);
  if (kind === "stored" && UNASSIGNED.test(normalised)) throw new SaslprepError("unassigned code point in a stored string");
  if (RIGHT_TO_LEFT.test(normalised)) throw new SaslprepError("right-to-left characters are not supported");
  return normalised;
}
