// SASL client responses the runner computes for `auth` steps (PLAIN, LOGIN,
// CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256 and their -PLUS variants), shared by the SMTP, POP3 and IMAP
// framings. Payloads are base64 on every wire; the framings redact them in the transcript.
// Standards: RFC 4616 (PLAIN), draft-murchison-sasl-login (LOGIN), RFC 2195 (CRAM-MD5), RFC 5802 / RFC 7677 (SCRAM, ./sasl-scram.ts), RFC 4954 / RFC 5034 / RFC 3501 §6.2.2 (framings).

import { createHmac } from "node:crypto";
import type { AuthStep } from "../../model/ast.ts";
import { ScramClient, type ScramOptions } from "./sasl-scram.ts";

export interface SaslClient {
  /** The initial response (RFC 4954 §4), or null when the mechanism starts with a server challenge. */
  initial(): string | null;
  /** The response to a decoded server challenge. */
  respond(challenge: Buffer): string | Promise<string>;
  /** After a success reply: throws StepFailure when the mechanism's mutual authentication is not complete (SCRAM's v=). */
  finish?(): void;
  /** A `cancel` step sends "*" only after the client's first message, to the server's first real challenge (SCRAM). */
  cancelsAfterFirstMessage?: boolean;
}

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

export function saslClient(mechanism: AuthStep["mechanism"], login: string, password: string, scram: ScramOptions = { channelBinding: "n" }): SaslClient {
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
    case "SCRAM-SHA-1":
    case "SCRAM-SHA-256":
    case "SCRAM-SHA-1-PLUS":
    case "SCRAM-SHA-256-PLUS":
      return scramSaslClient(new ScramClient(mechanism, login, password, scram));
    case "APOP":
      // Not SASL: the POP3 driver sends APOP itself, and the loader allows it on POP3 connections only.
      throw new Error("APOP is a POP3 command, not a SASL mechanism");
  }
}

/**
 * SCRAM over SASL: a client-first mechanism (the first, empty challenge is
 * answered with the client-first-message), then the client-final-message,
 * then the server-final-message as a last challenge, answered empty — the
 * form RFC 4422 gives to protocols that carry no data with their success
 * reply, as SMTP AUTH, POP3 AUTH and IMAP AUTHENTICATE do.
 */
function scramSaslClient(client: ScramClient): SaslClient {
  let sent: "nothing" | "first" | "final" = "nothing";
  return {
    initial: () => {
      sent = "first";
      return b64(client.clientFirst());
    },
    respond: async (challenge) => {
      const text = challenge.toString("utf8");
      if (sent === "nothing") {
        sent = "first";
        return b64(client.clientFirst());
      }
      if (sent === "first") {
        sent = "final";
        return b64(await client.clientFinal(text));
      }
      // v= is checked here (a wrong one fails the step); an e= refusal is answered empty too,
      // so that the server ends the exchange with its failure reply, which the step then judges.
      client.serverFinal(text);
      return "";
    },
    finish: () => client.requireServerVerified(),
    cancelsAfterFirstMessage: true,
  };
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
