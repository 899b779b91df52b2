// Which IMAP revision a session speaks. The server advertises both, so rev2
// behaviour starts only with ENABLE IMAP4rev2; the enabled set is shared by a
// session and its MailboxView, which is why this takes the set, not the session.
// Standards: RFC 9051 §6.1.1, §6.3.1 (ENABLE IMAP4rev2), Appendix E.

export function revision2(enabled: ReadonlySet<string>): boolean {
  return enabled.has("IMAP4REV2");
}
