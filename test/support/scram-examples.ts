// The published SCRAM exchanges (RFC 5802 §5, RFC 7677 §3), for the tests of
// wire/scram.ts, the runner's client and the reference server's mechanism.
// Standards: RFC 5802 §5, RFC 7677 §3.

import type { ScramHash, ScramMechanismName } from "../../wire/scram.ts";

export interface ScramExample {
  name: string;
  mechanism: ScramMechanismName;
  hash: ScramHash;
  clientNonce: string;
  clientFirstBare: string;
  serverFirst: string;
  withoutProof: string;
  proof: string;
  verifier: string;
}

/** User "user", password "pencil", no channel binding ("n,,", c=biws). */
export const RFC_EXAMPLES: ScramExample[] = [
  {
    name: "RFC 5802 §5 (SCRAM-SHA-1)",
    mechanism: "SCRAM-SHA-1",
    hash: "sha1",
    clientNonce: "fyko+d2lbbFgONRv9qkxdawL",
    clientFirstBare: "n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    withoutProof: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j",
    proof: "v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    verifier: "rmF9pqV8S7suAoZWja4dJRkFsKQ=",
  },
  {
    name: "RFC 7677 §3 (SCRAM-SHA-256)",
    mechanism: "SCRAM-SHA-256",
    hash: "sha256",
    clientNonce: "rOprNGfwEbeRWgbNEkqO",
    clientFirstBare: "n=user,r=rOprNGfwEbeRWgbNEkqO",
    serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    withoutProof: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    proof: "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    verifier: "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
  },
];
