// SASL PLAIN: one message "[authzid] NUL authcid NUL passwd" in UTF-8; an
// empty challenge first when the client sent no initial response.
// Standards: RFC 4616 §2.

import type { SaslExchange, SaslMechanism, SaslStep } from "./sasl.ts";

// RFC 4616 §2: each of authzid, authcid, passwd is at most 255 octets.
const MAX_PLAIN_FIELD_OCTETS = 255;

export const plain: SaslMechanism = {
  name: "PLAIN",
  plaintext: true,
  start(): SaslExchange {
    let challenged = false;
    return {
      next(response): SaslStep {
        if (response === null) {
          if (challenged) return { malformed: "no response" };
          challenged = true;
          return { challenge: Buffer.alloc(0) };
        }
        // message = [authzid] UTF8NUL authcid UTF8NUL passwd
        const first = response.indexOf(0);
        const second = first === -1 ? -1 : response.indexOf(0, first + 1);
        if (second === -1 || response.indexOf(0, second + 1) !== -1) return { malformed: "malformed PLAIN message" };
        const fields = [response.subarray(0, first), response.subarray(first + 1, second), response.subarray(second + 1)];
        if (fields.some((f) => f.length > MAX_PLAIN_FIELD_OCTETS) || fields[1]!.length === 0 || fields[2]!.length === 0) {
          return { malformed: "malformed PLAIN message" };
        }
        const [authzid, login, password] = fields.map((f) => f.toString("utf8")) as [string, string, string];
        return { credentials: { kind: "password", authzid, login, password } };
      },
    };
  },
};
