// The YAML config: defaults, merging, and errors that point at file:line:col.

import { expect } from "chai";
import { ConfigError, parseConfig } from "../../../reference-server/config/load.ts";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";

function errorOf(text: string): ConfigError {
  try {
    parseConfig(text, "server.yaml");
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("server config", () => {
  it("embeds the documented defaults", () => {
    const config = defaultConfig();
    expect(config.domains).to.deep.equal(["example.test"]);
    expect(config.users.map((u) => [u.name, u.password, u.address])).to.deep.equal([
      ["alice", "plain:alice-pw", "alice@example.test"],
      ["bob", "plain:bob-pw", "bob@example.test"],
    ]);
    expect(config.auth.plaintextWithoutTls).to.equal("loopback");
    expect(config.listen.portBase).to.equal(2000);
    expect(config.smtp.commandTimeoutMs).to.be.at.least(5 * 60_000);
    expect(config.pop3.idleTimeoutMs).to.be.at.least(10 * 60_000);
  });

  it("merges a file over the defaults and resolves paths against it", () => {
    const config = parseConfig(
      "hostname: mx.school.test\ndomains: [School.test]\nusers:\n  - name: carol\n    password: plain:c\n    aliases: [info@school.test]\nsmtp:\n  maxRecipients: 200\ntls:\n  cert: certs/c.pem\n  key: certs/k.pem\n",
      "/etc/mc/server.yaml",
    );
    expect(config.hostname).to.equal("mx.school.test");
    expect(config.users).to.deep.equal([{ name: "carol", password: "plain:c", address: "carol@school.test", aliases: ["info@school.test"] }]);
    expect(config.smtp.maxRecipients).to.equal(200);
    expect(config.smtp.maxMessageOctets).to.equal(defaultConfig().smtp.maxMessageOctets);
    expect(config.tls).to.deep.equal({ cert: "/etc/mc/certs/c.pem", key: "/etc/mc/certs/k.pem" });
  });

  it("resolves listen.lmtpSocket against the file, keeps the port base, and has no socket by default", () => {
    const config = parseConfig("listen:\n  lmtpSocket: run/lmtp.sock\n", "/etc/mc/server.yaml");
    expect(config.listen).to.deep.equal({ host: "127.0.0.1", portBase: 2000, lmtpSocket: "/etc/mc/run/lmtp.sock" });
    expect(defaultConfig().listen.lmtpSocket).to.equal(null);
  });

  it("lays a user's own quota over imap.quota resource by resource, and gives the others none", () => {
    const config = parseConfig(
      "imap:\n  quota: { storageKiB: 100 }\nusers:\n  - { name: full, password: 'plain:x', quota: { messages: 0 } }\n  - { name: bob, password: 'plain:y' }\n",
      "server.yaml",
    );
    expect(config.users[0]!.quota).to.deep.equal({ storageKiB: 100, messages: 0 });
    expect(config.users[1]).to.not.have.property("quota");
    expect(() => parseConfig("users:\n  - { name: a, password: 'plain:x', quota: { messages: -1 } }\n", "server.yaml")).to.throw(ConfigError);
  });

  it("keeps the store durable unless a file says store.durable: false (throwaway servers)", () => {
    expect(defaultConfig().store).to.deep.equal({ durable: true });
    expect(parseConfig("hostname: mx.example.test\n", "server.yaml").store).to.deep.equal({ durable: true });
    expect(parseConfig("store:\n  durable: false\n", "server.yaml").store).to.deep.equal({ durable: false });
    expect(errorOf("store:\n  durable: sometimes\n").message).to.match(/store\.durable must be boolean/);
  });

  it("accepts an empty file", () => {
    expect(parseConfig("", "empty.yaml").users).to.have.length(2);
  });

  const CASES: [title: string, text: string, line: number, col: number, message: RegExp][] = [
    ["a YAML syntax error", "users:\n  - name: alice\n    password: [unclosed\n", 4, 1, /./],
    ["an unknown key, at the key", "smtp:\n  maxRecipients: 200\n  maxRecipientz: 3\n", 3, 3, /unknown key "maxRecipientz" in smtp/],
    ["a wrong type", "listen:\n  portBase: high\n", 2, 13, /listen\.portBase must be integer/],
    ["an enum violation", "auth:\n  plaintextWithoutTls: sometimes\n", 2, 24, /must be one of "loopback", "always", "never"/],
    ["a password in no known form", "users:\n  - name: dave\n    password: hunter2\n", 3, 15, /users\.0\.password/],
    ["too few recipients (RFC 5321 §4.5.3.1.8)", "smtp:\n  maxRecipients: 10\n", 2, 18, /must be >= 100/],
    ["an address outside the local domains", "users:\n  - name: eve\n    password: plain:x\n    address: eve@elsewhere.test\n", 4, 14, /not in a local domain/],
    ["a duplicate user", "users:\n  - name: a\n    password: plain:x\n  - name: a\n    password: plain:y\n", 4, 11, /listed twice/],
    ["an unknown postmaster", "postmaster: zed\n", 1, 13, /not a configured user/],
  ];
  for (const [title, text, line, col, message] of CASES) {
    it(`reports ${title} with file:line:col`, () => {
      const error = errorOf(text);
      expect(error.message).to.match(message);
      expect([error.file, error.line, error.col], error.message).to.deep.equal(["server.yaml", line, col]);
      expect(error.message.startsWith(`server.yaml:${line}:${col}: `)).to.equal(true);
    });
  }
});
