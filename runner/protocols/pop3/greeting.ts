// The APOP timestamp of a POP3 greeting. The session keeps the greeting (the
// first status line read on its connection, whether the driver read it or a
// suite's `expect` did); the probe turns a timestamp into the pseudo-capability APOP.
// Standards: RFC 1939 §4 (one-line greeting), §7 (APOP timestamp in msg-id form, RFC 822).

/**
 * The APOP timestamp of the greeting text: msg-id = "<" addr-spec ">" (RFC 822
 * §6.1, as RFC 1939 §7 asks), e.g. <1896.697170952@dbc.mtview.ca.us>; null
 * when the server offers none (it then does not support APOP).
 */
export function apopTimestamp(greeting: string | undefined): string | null {
  const match = greeting === undefined ? null : /<[^<>\s]+@[^<>\s]+>/.exec(greeting);
  return match ? match[0] : null;
}
