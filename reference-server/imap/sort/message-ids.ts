// msg-ids out of Message-ID, References and In-Reply-To, normalised so that
// different quoting of the same id compares equal: <"a.b"@host> is <a.b@host>.
// Comparison stays case-sensitive.
// Standards: RFC 5256 BASE.6.4.THREAD ("MUST normalize any msg-id"; "Message ID comparisons are case-sensitive"),
// RFC 5322 §3.6.4 (msg-id = "<" id-left "@" id-right ">").

/** Every valid msg-id in a field value, in order. */
export function messageIds(value: string): string[] {
  const ids: string[] = [];
  for (const match of value.matchAll(/<([^<>]*)>/g)) {
    const id = normalise(match[1]!);
    if (id !== null) ids.push(id);
  }
  return ids;
}

export function firstMessageId(value: string): string | null {
  return messageIds(value)[0] ?? null;
}

/** id-left "@" id-right without quotes, escapes or white space; null when it is no msg-id. */
function normalise(inner: string): string | null {
  const id = inner.replace(/\\(.)/g, "$1").replace(/["\s]/g, "");
  const at = id.lastIndexOf("@");
  return at > 0 && at < id.length - 1 ? id : null;
}
