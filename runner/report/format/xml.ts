// XML 1.0 text and attribute escaping. Besides the five entities, XML 1.0
// forbids most C0 controls even as character references, and a lone UTF-16
// surrogate is not a character at all; a server that sends NUL must not make
// the JUnit file unreadable, so those are written as visible \xNN / \uNNNN.

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

// Allowed by XML 1.0 §2.2: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Drops ANSI colour sequences: reports are files, not terminals. */
export function stripAnsi(text: string): string {
  return text.replace(/\u001B\[[0-9;?]*[ -/]*[@-~]/g, "");
}

export function escapeXmlText(text: string): string {
  return stripAnsi(text).replace(FORBIDDEN, visible).replace(/[&<>]/g, (ch) => ENTITIES[ch]!);
}

/** Attribute values also escape quotes, and line ends (which attribute normalisation would turn into spaces). */
export function escapeXmlAttr(text: string): string {
  return stripAnsi(text)
    .replace(FORBIDDEN, visible)
    .replace(/[&<>"']/g, (ch) => ENTITIES[ch]!)
    .replace(/\r/g, "&#13;")
    .replace(/\n/g, "&#10;")
    .replace(/\t/g, "&#9;");
}
