// SASL client responses the runner computes for `auth` steps (PLAIN, LOGIN,
// CRAM-MD5), shared by the SMTP, POP3 and IMAP framings. Payloads are
// base64 on every wire; the framings redact them in the transcript.
// Standards: RFC 4616 (PLAIN), draft-murchison-sasl-login (LOGIN), RFC 2195 (CRAM-MD5), RFC 4954 / RFC 5034 / RFC 3501 §6.2.2 (framings).

import { createHmac } from "node:crypto";
import type { AuthStep } from "../../model/ast.ts";

export interface SaslClient {
  /** The initial response (RFC 4954 §4), or null when the mechanism starts with a server challenge. */
  initial(): string | null;
  /** The response to a decoded server challenge. */
  respond(challenge: Buffer): string;
}

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

export function saslClient(mechanism: AuthStep["mechanism"], login: string, password: string): SaslClient {
  switch (mechanism) {
    case "PLAIN": {
      // message = [authzid] UTF8NUL authcid UTF8NUL passwd
      const message = b64(`\0${login}\0${password}`);
      return { initial: () => message, respond: () => message };
    }
    case "LOGIN": {
      // Two challenges ("Username:", "Password:"), answered in order whatever their wording.
      let step = 0;
      return {
        initial: () => {
          step = 1;
          return b64(login);
        },
        respond: () => (step++ === 0 ? b64(login) : b64(password)),
      };
    }
    case "CRAM-MD5":
      // response = user SP hex(HMAC-MD5(password, challenge))
      return {
        initial: () => null,
        respond: (challenge) => b64(`${login} ${createHmac("md5", password).update(challenge).digest("hex")}`),
      };
    case "APOP":
      // Not SASL: the POP3 driver sends APOP itself, and the loader allows it on POP3 connections only.
      throw new Error("APOP is a POP3 command, not a SASL mechanism");
  }
}

/**
 * Decode a server challenge. Invalid base64 is a protocol violation the
 * caller reports; "=" and the empty string both mean an empty challenge.
 */
export function decodeChallenge(text: string): Buffer | null {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "=") return Buffer.alloc(0);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) return null;
  return Buffer.from(trimmed, "base64");
}
