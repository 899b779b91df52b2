// CI slice of the load run (issue 9): 200 concurrent mixed-protocol sessions
// (SMTP transactions, POP3 login/STAT/QUIT, IMAP login/SELECT/FETCH/LOGOUT)
// all held open at once against the reference server on the Maildir store,
// with zero errors. `npm run soak` runs 1,000 and measures memory per idle connection.
// Standards: RFC 5321 §3.3, RFC 1939 §5, RFC 3501 §6.

import { expect } from "chai";
import { defaultConfig } from "../../reference-server/config/defaults.ts";
import { startServer } from "../../reference-server/serve.ts";
import { mixedLoad } from "../../soak/load/mixed-sessions.ts";

describe("soak: concurrent mixed-protocol load (CI slice)", () => {
  it("200 sessions held at once, 0 errors", async function () {
    this.timeout(30_000);
    const config = defaultConfig();
    config.auth.failureDelayMs = 0;
    const users = 67;
    for (let i = 0; i < users; i++) config.users.push({ name: `user${i}`, password: `plain:user${i}-pw`, address: `user${i}@example.test`, aliases: [] });
    const server = await startServer({ config, portBase: "ephemeral" });
    try {
      const r = await mixedLoad({ ports: { smtp: server.ports.smtp, pop3: server.ports.pop3, imap: server.ports.imap! }, sessions: 200, users });
      expect(r.errors).to.deep.equal([]);
      expect(r.heldAtOnce).to.equal(200);
    } finally {
      await server.close();
    }
  });
});
