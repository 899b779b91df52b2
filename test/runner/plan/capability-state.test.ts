// Which advertised list each requirement is matched against: STARTTLS before
// TLS, login capabilities just before logging in, the rest in the last state
// the test reaches; `requires-in:` overrides; a STARTTLS endpoint starts
// upgraded; a state the probe did not read falls back to the one before.

import { expect } from "chai";
import { advertisedIn, capabilitySkip, stateFor } from "../../../runner/plan/capability-state.ts";
import type { AdvertisedSets } from "../../../runner/model/target.ts";
import * as A from "../../support/ast.ts";

const imapLogin = A.send('LOGIN "${user.login}" "${user.password}"');

/** Dovecot as measured in the interop lane, behind a port that wants TLS before AUTH. */
const DOVECOT: AdvertisedSets = {
  "before-tls": new Set(["IMAP4REV1", "STARTTLS", "LOGINDISABLED", "IDLE"]),
  "after-starttls": new Set(["IMAP4REV1", "AUTH=PLAIN", "IDLE"]),
  "after-login": new Set(["IMAP4REV1", "IDLE", "UIDPLUS", "MOVE"]),
};

describe("plan: capability states", () => {
  it("infers the state per capability from what the steps do", () => {
    const plain = A.testCase("imap", [A.send("NOOP")]);
    const loggedIn = A.testCase("imap", [imapLogin, A.send("UID EXPUNGE 1")]);
    const upgraded = A.testCase("imap", [A.starttls(), A.auth("PLAIN")]);
    expect(stateFor(plain, "IDLE")).to.equal("before-tls");
    expect(stateFor(loggedIn, "UIDPLUS")).to.equal("after-login");
    // A login capability is wanted in the last state before the login, not after it.
    expect(stateFor(loggedIn, "AUTH=PLAIN")).to.equal("before-tls");
    expect(stateFor(upgraded, "AUTH=PLAIN")).to.equal("after-starttls");
    expect(stateFor(upgraded, "STARTTLS")).to.equal("before-tls");
    expect(stateFor(upgraded, "IDLE")).to.equal("after-login");
    // A failing auth step does not get the session past login.
    expect(stateFor(A.testCase("imap", [A.auth("PLAIN", "failure")]), "IDLE")).to.equal("before-tls");
  });

  it("requires-in overrides the inference, but never for STARTTLS itself", () => {
    const test = A.testCase("imap", [imapLogin], { requiresIn: "after-starttls" });
    expect(stateFor(test, "UIDPLUS")).to.equal("after-starttls");
    expect(stateFor(test, "STARTTLS")).to.equal("before-tls");
  });

  it("AUTH offered only after STARTTLS: a test that upgrades itself runs, one that does not is skipped", () => {
    const upgrades = A.testCase("imap", [A.starttls(), A.auth("PLAIN")], { requires: ["STARTTLS", "AUTH=PLAIN"] });
    const plain = A.testCase("imap", [A.auth("PLAIN")], { requires: ["AUTH=PLAIN"] });
    expect(capabilitySkip(upgrades, DOVECOT, "none")).to.equal(undefined);
    expect(capabilitySkip(plain, DOVECOT, "none")).to.deep.equal({ reason: "server does not advertise AUTH=PLAIN", kind: "unadvertised" });
  });

  it("LOGINDISABLED is read before login, not from the list after it", () => {
    const test = A.testCase("imap", [imapLogin, A.imap("NO")], { requires: ["LOGINDISABLED"] });
    expect(capabilitySkip(test, DOVECOT, "none")).to.equal(undefined);
    const afterTls = A.testCase("imap", [A.starttls(), imapLogin], { requires: ["LOGINDISABLED"] });
    expect(capabilitySkip(afterTls, DOVECOT, "none")?.reason).to.equal("server does not advertise LOGINDISABLED after STARTTLS");
  });

  it("a negated requirement (!X) runs the test only where X is not advertised in the state it needs", () => {
    const withoutMove = A.testCase("imap", [imapLogin], { requires: ["!MOVE"] });
    expect(capabilitySkip(withoutMove, DOVECOT, "none")?.reason).to.equal("server advertises MOVE after login (the test checks a server without it)");
    // MOVE is advertised only after login: before it, a test for servers without MOVE runs.
    const beforeLogin = A.testCase("imap", [A.send("NOOP")], { requires: ["!MOVE"] });
    expect(capabilitySkip(beforeLogin, DOVECOT, "none")).to.equal(undefined);
    const both = A.testCase("imap", [imapLogin], { requires: ["CONDSTORE", "!UIDPLUS"] });
    expect(capabilitySkip(both, DOVECOT, "none")?.reason).to.equal(
      "server does not advertise CONDSTORE after login; server advertises UIDPLUS after login (the test checks a server without it)",
    );
  });

  it("extensions offered only after login are found there; the reason names the state", () => {
    const test = A.testCase("imap", [imapLogin], { requires: ["UIDPLUS", "CONDSTORE"] });
    expect(capabilitySkip(test, DOVECOT, "none")?.reason).to.equal("server does not advertise CONDSTORE after login");
    const beforeLogin = A.testCase("imap", [A.send("NOOP")], { requires: ["UIDPLUS"] });
    expect(capabilitySkip(beforeLogin, DOVECOT, "none")?.reason).to.equal("server does not advertise UIDPLUS");
  });

  it("on a STARTTLS endpoint the list before TLS is never reached, except by the runner's own STARTTLS", () => {
    const auth = A.testCase("imap", [A.auth("PLAIN")], { requires: ["AUTH=PLAIN"] });
    expect(capabilitySkip(auth, DOVECOT, "starttls")).to.equal(undefined);
    const declared = A.testCase("smtp", [A.auth("PLAIN")], { requires: ["STARTTLS", "AUTH=PLAIN"], connections: [A.connection("main", "smtp", { tls: "starttls" })] });
    expect(capabilitySkip(declared, DOVECOT, "none")).to.equal(undefined);
  });

  it("a test that issues STARTTLS itself cannot run where every connection is upgraded already, unless it keeps main plain", () => {
    const itself = A.testCase("imap", [A.starttls()], { requires: ["STARTTLS"] });
    expect(capabilitySkip(itself, DOVECOT, "starttls")).to.deep.include({ kind: "no-endpoint" });
    expect(capabilitySkip(itself, DOVECOT, "starttls")?.reason).to.match(/tls: starttls.*issues STARTTLS itself/);
    const keepsPlain = A.testCase("imap", [A.starttls()], { requires: ["STARTTLS"], connections: [A.connection("main", "imap", { tls: "none" })] });
    expect(capabilitySkip(keepsPlain, DOVECOT, "starttls")).to.equal(undefined);
  });

  it("a state the probe could not read falls back to the one before it (SMTP has no list after login)", () => {
    const sets: AdvertisedSets = { "before-tls": new Set(["SIZE"]) };
    expect([...advertisedIn(sets, "after-login")]).to.deep.equal(["SIZE"]);
    expect([...advertisedIn({}, "after-login")]).to.deep.equal([]);
  });
});
