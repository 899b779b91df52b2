// SASL LOGIN (the obsolete but ubiquitous Microsoft mechanism): challenges
// "Username:" and "Password:"; an initial response carries the user name.
// Standards: draft-murchison-sasl-login-00.

import type { SaslExchange, SaslMechanism, SaslStep } from "./sasl.ts";

const USERNAME = Buffer.from("Username:");
const PASSWORD = Buffer.from("Password:");

export const login: SaslMechanism = {
  name: "LOGIN",
  plaintext: true,
  start(): SaslExchange {
    let name: string | null = null;
    let asked = false;
    return {
      next(response): SaslStep {
        if (name === null) {
          if (response === null) {
            if (asked) return { malformed: "no user name" };
            asked = true;
            return { challenge: USERNAME };
          }
          name = response.toString("utf8");
          if (name === "") return { malformed: "empty user name" };
          return { challenge: PASSWORD };
        }
        if (response === null) return { malformed: "no password" };
        return { credentials: { kind: "password", authzid: "", login: name, password: response.toString("utf8") } };
      },
    };
  },
};
