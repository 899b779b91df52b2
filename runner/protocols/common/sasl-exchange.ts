// The SASL exchange every protocol's `auth` step runs: send the command with
// an optional initial response, answer each server challenge (or cancel with
// "*"), then hand the final reply to the protocol's check. Only the framing
// (how a challenge and a final reply look) differs per protocol.
// Standards: RFC 4422 §3 (exchange, cancel), RFC 4954 §4, RFC 5034 §4, RFC 3501 §6.2.2.

import type { AuthStep } from "../../model/ast.ts";
import type { StepContext } from "./driver.ts";
import { StepFailure } from "../../session/step-failure.ts";
import { REDACTED } from "../../session/transcript.ts";
import { DEFAULT_LOGIN, DEFAULT_PASSWORD } from "../../session/variables.ts";
import { decodeChallenge, saslClient } from "./sasl.ts";

/** More challenges than any of PLAIN, LOGIN, CRAM-MD5, SCRAM (three) needs: the server is looping. */
const MAX_CHALLENGES = 4;

export type SaslTurn<Final> =
  /** A server challenge: its base64 text, and how to show the raw reply in a failure. */
  | { challenge: string; shown: string }
  | { final: Final };

export interface SaslFraming<Final> {
  /** The command as sent, without the initial response ("AUTH PLAIN", "A3 AUTHENTICATE PLAIN"). */
  command: string;
  /** Reads the next server turn. */
  readTurn(): Promise<SaslTurn<Final>>;
  /** Checks the final reply against the step's outcome; throws StepFailure when it differs. */
  checkFinal(final: Final): void;
  /** What a challenge must look like, for the failure message ("334 <base64>"), and the RFC saying so. */
  challengeForm: string;
  rfc: string;
}

export async function runSaslExchange<Final>(ctx: StepContext, step: AuthStep, framing: SaslFraming<Final>): Promise<void> {
  const login = ctx.resolve(step.login ?? DEFAULT_LOGIN);
  const password = ctx.resolve(step.password ?? DEFAULT_PASSWORD);
  const sasl = saslClient(step.mechanism, login, password, { channelBinding: step.channelBinding ?? "n", tamper: step.tamper, channel: ctx.conn.channelBinding });
  // A cancel answers the first challenge with "*", so no initial response goes out — except for a
  // mechanism that cancels mid-exchange (SCRAM: "*" answers the server-first message).
  const initial = step.initialResponse && (step.outcome !== "cancel" || sasl.cancelsAfterFirstMessage) ? sasl.initial() : null;
  let firstMessageSent = initial !== null;
  if (initial === null) ctx.conn.sendCommand(framing.command, framing.command);
  // A zero-length initial response is sent as "=" (RFC 4954 §4, RFC 4959 §3).
  else ctx.conn.sendCommand(`${framing.command} ${initial === "" ? "=" : initial}`, `${framing.command} ${REDACTED}`);
  for (let round = 0; ; round++) {
    const turn = await framing.readTurn();
    if ("final" in turn) {
      framing.checkFinal(turn.final);
      if (step.outcome === "success") sasl.finish?.();
      return;
    }
    if (round >= MAX_CHALLENGES) {
      throw new StepFailure("protocol-violation", `more than ${MAX_CHALLENGES} SASL challenges`, "a final reply", turn.shown);
    }
    if (step.outcome === "cancel" && (firstMessageSent || !sasl.cancelsAfterFirstMessage)) {
      ctx.conn.sendCommand("*", "*");
      continue;
    }
    const challenge = decodeChallenge(turn.challenge);
    if (challenge === null) {
      throw new StepFailure("protocol-violation", `SASL challenge is not base64 (${framing.rfc})`, framing.challengeForm, turn.shown);
    }
    ctx.conn.sendCommand(await sasl.respond(challenge), REDACTED);
    firstMessageSent = true;
  }
}
