// Loading messages for FETCH: each session's view keeps its own small cache, and the
// analysis of one message's bytes is shared by every session the store hands those bytes.
// Standards: RFC 3501 §6.4.5.

import { expect } from "chai";
import { loadMessage } from "../../../../reference-server/imap/fetch-items/load.ts";
import type { MailboxView, ViewMessage } from "../../../../reference-server/imap/mailbox/view.ts";
import type { ImapSession } from "../../../../reference-server/imap/states.ts";
import { MessageGone } from "../../../../reference-server/store/types.ts";

function viewReading(read: (uid: number) => Promise<Buffer>): MailboxView {
  return { mailbox: { read } } as unknown as MailboxView;
}

const message = (uid: number) => ({ uid }) as ViewMessage;
const session = {} as ImapSession;

describe("imap: loading messages for FETCH", () => {
  it("shares one analysis of the same bytes between sessions, and makes another for other bytes", async () => {
    const shared = Buffer.from("Subject: one\r\n\r\nbody\r\n");
    const a = viewReading(async () => shared);
    const b = viewReading(async () => shared);
    const c = viewReading(async () => Buffer.from(shared));
    const seenByA = await loadMessage(session, a, message(1));
    const seenByB = await loadMessage(session, b, message(1));
    const seenByC = await loadMessage(session, c, message(1));
    expect(seenByA).to.not.equal(null);
    expect(seenByB).to.equal(seenByA);
    expect(seenByC).to.not.equal(seenByA);
    expect(seenByC!.raw.equals(shared)).to.equal(true);
  });

  it("reads a message the store no longer has as null", async () => {
    const view = viewReading(async (uid) => {
      throw new MessageGone(uid);
    });
    expect(await loadMessage(session, view, message(3))).to.equal(null);
  });
});
