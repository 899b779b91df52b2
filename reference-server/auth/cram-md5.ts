// SASL CRAM-MD5: the server sends a unique msg-id-like challenge, the client
// answers "user SP hex(HMAC-MD5(password, challenge))". No password crosses
// the wire, so it is allowed before TLS; it needs plaintext-stored passwords.
// Standards: RFC 2195 §2.

import { randomBytes } from "node:crypto";
import type { SaslExchange, SaslMechanism, SaslStep } from "./sasl.ts";

export const cramMd5: SaslMechanism = {
  name: "CRAM-MD5",
  plaintext: false,
  start(hostname): SaslExchange {
    const challenge = `<${randomBytes(8).toString("hex")}.${Date.now()}@${hostname}>`;
    let sent = false;
    return {
      next(response): SaslStep {
        if (!sent) {
          // RFC 2195 has no initial response: the challenge must come first.
          if (response !== null) return { malformed: "CRAM-MD5 takes no initial response" };
          sent = true;
          return { challenge: Buffer.from(challenge) };
        }
        const text = response?.toString("utf8") ?? "";
        const match = /^(.+) ([0-9a-fA-F]{32})$/.exec(text);
        if (!match) return { malformed: "malformed CRAM-MD5 response" };
        return { credentials: { kind: "cram-md5", login: match[1]!, challenge, digest: match[2]! } };
      },
    };
  },
};
