// CI slice of the kill -9 durability run (issue 9): SMTP deliveries from
// four clients while the server process is killed twice; every acknowledged
// message must be stored intact, nothing half-written visible, UIDs unique,
// UIDVALIDITY unchanged. `npm run soak` runs 1,000 deliveries and 10 kills.
// Standards: RFC 5321 §4.1.1.4 and §6.1, RFC 3501 §2.3.1.1.

import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killDuringDelivery } from "../../soak/durability/kill-during-delivery.ts";

describe("soak: durability under kill -9 (CI slice)", () => {
  it("60 deliveries, 2 kills: no acknowledged message lost, none half-written, UIDs unique, UIDVALIDITY kept", async function () {
    this.timeout(60_000);
    const dir = await mkdtemp(join(tmpdir(), "mailconform-kill-"));
    try {
      const r = await killDuringDelivery({ dataDir: dir, deliveries: 60, kills: 2, clients: 4, seed: 9 });
      expect(r.kills).to.equal(2);
      expect(r.lost, "acknowledged but missing").to.deep.equal([]);
      expect(r.corrupt).to.deep.equal([]);
      expect(r.duplicateUids).to.equal(0);
      expect(r.uidsChanged).to.deep.equal([]);
      expect(r.uidsChecked, "no UID was observed over IMAP").to.be.at.least(r.acknowledged);
      expect(r.uidValidityChanged).to.deep.equal([]);
      // Most deliveries succeed; the ones in flight at a kill may not.
      expect(r.acknowledged).to.be.at.least(60 - 2 * 4);
      expect(r.stored).to.be.at.least(r.acknowledged);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
