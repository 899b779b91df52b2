// Runs one SASL exchange, independent of the protocol carrying it: the
// protocol supplies a transport that sends a challenge and reads the reply
// line (SMTP "334", POP3 and IMAP "+"); the mechanism is a small state
// machine (plain.ts, login.ts, cram-md5.ts, scram.ts). Failures are ClientErrors the
// protocol's vocabulary turns into 535 / -ERR [AUTH] / NO.
// Standards: RFC 4422 §3 (exchange, additional data with success), RFC 4954 §4, RFC 5034 §4, RFC 3501 §6.2.2.

import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ClientError } from "../core/errors.ts";
import type { UserDirectory } from "../users/directory.ts";
import { constantTimeEqual } from "../users/passwords.ts";
import type { LoginGuard } from "./penalty.ts";

export type Credentials =
  | { kind: "password"; authzid: string; login: string; password: string }
  | { kind: "cram-md5"; login: string; challenge: string; digest: string }
  /** The mechanism checks its own proof (SCRAM); successData is the "additional data with success" it then owes the client. */
  | { kind: "scram"; login: string; verify(): Promise<string | null>; successData(): Buffer };

/** One step of a mechanism: send a challenge, or the exchange is complete, or the client broke it. */
export type SaslStep = { challenge: Buffer } | { credentials: Credentials } | { malformed: string };

export interface SaslExchange {
  /** Feed the client's latest response (null: no initial response was sent). */
  next(response: Buffer | null): SaslStep;
}

export interface SaslMechanism {
  readonly name: string;
  /** The password crosses the wire readable (PLAIN, LOGIN): needs TLS under the default policy. */
  readonly plaintext: boolean;
  /** Binds to the TLS channel (SCRAM -PLUS): offered and accepted on TLS sessions only (RFC 5802 §6). */
  readonly bindsChannel?: boolean;
  /** `channel`: the TLS channel; absent or null on a clear one. */
  start(hostname: string, users: UserDirectory, channel?: SaslChannel | null): SaslExchange;
}

/** The TLS channel an exchange runs over, for SCRAM's channel binding; null stands for a clear channel. */
export interface SaslChannel {
  /** The channel-binding data of `type` (tls-unique, tls-exporter), or null where this session does not define it. */
  binding(type: string): Buffer | null;
}

export interface SaslTransport {
  /** Send a challenge (the transport base64-encodes it) and return the client's reply line. */
  challenge(data: Buffer): Promise<string>;
}

// More rounds than any mechanism here needs; a looping exchange is cut off.
const MAX_SASL_ROUNDS = 4;

/**
 * Strict base64 as RFC 4954 §4 requires; a malformed response is a syntax
 * error (SMTP 501), not a failed login.
 */
export function decodeBase64(text: string): Buffer {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new ClientError("syntax", "invalid base64 in authentication exchange");
  }
  return Buffer.from(text, "base64");
}

/** RFC 4954 §4: an initial response of "=" is an empty one. */
export function decodeInitialResponse(text: string): Buffer {
  return text === "=" ? Buffer.alloc(0) : decodeBase64(text);
}

export interface SaslRun {
  mechanism: SaslMechanism;
  /** As the client sent it on the command line, still base64; null when absent. */
  initialResponse: string | null;
  transport: SaslTransport;
  users: UserDirectory;
  hostname: string;
  failureDelayMs: number;
  /** The failed-login penalty (penalty.ts); without one the check runs at once. */
  guard?: LoginGuard;
  /** The TLS channel (SCRAM -PLUS binds to it, and a "y" flag there is a downgrade); absent or null: a clear channel. */
  channel?: SaslChannel | null;
}

/** The authenticated user's name; throws ClientError (auth-failed, auth-cancelled, syntax). */
export async function runSasl(run: SaslRun): Promise<string> {
  const exchange = run.mechanism.start(run.hostname, run.users, run.channel ?? null);
  let response = run.initialResponse === null ? null : decodeInitialResponse(run.initialResponse);
  for (let round = 0; round < MAX_SASL_ROUNDS; round++) {
    const step = exchange.next(response);
    if ("challenge" in step) {
      const line = await run.transport.challenge(step.challenge);
      // RFC 4954 §4: "If the client wishes to cancel ... it issues a line with a single '*'".
      if (line === "*") throw new ClientError("auth-cancelled", "authentication cancelled");
      response = decodeBase64(line);
      continue;
    }
    if ("malformed" in step) return failAfterDelay(run.failureDelayMs, step.malformed);
    const credentials = step.credentials;
    const check = () => checkCredentials(run.users, credentials);
    const user = await (run.guard ? run.guard(credentials.login, check) : check());
    if (user === null) return failAfterDelay(run.failureDelayMs, "authentication failed");
    if (credentials.kind === "scram") await sendSuccessData(run, credentials.successData());
    return user;
  }
  return failAfterDelay(run.failureDelayMs, "authentication exchange too long");
}

/**
 * SMTP AUTH, POP3 AUTH and IMAP AUTHENTICATE have no room for data in their
 * success reply, so it goes out as one more challenge, which the client
 * answers with an empty response before the success reply (RFC 4422).
 */
async function sendSuccessData(run: SaslRun, data: Buffer): Promise<void> {
  const line = await run.transport.challenge(data);
  if (line === "*") throw new ClientError("auth-cancelled", "authentication cancelled");
  if (decodeBase64(line).length !== 0) await failAfterDelay(run.failureDelayMs, "expected an empty response to the final challenge");
}

async function checkCredentials(users: UserDirectory, credentials: Credentials): Promise<string | null> {
  if (credentials.kind === "password") {
    // We do not act on behalf of other users: an authzid must name the same user.
    const user = await users.verify(credentials.login, credentials.password);
    if (user === null) return null;
    if (credentials.authzid !== "" && users.byLogin(credentials.authzid)?.name !== user) return null;
    return user;
  }
  if (credentials.kind === "scram") return credentials.verify();
  const secret = users.plaintextPassword(credentials.login);
  if (secret === null) return null;
  const expected = createHmac("md5", secret).update(credentials.challenge).digest("hex");
  const ok = constantTimeEqual(Buffer.from(expected), Buffer.from(credentials.digest.toLowerCase()));
  return ok ? users.byLogin(credentials.login)!.name : null;
}

/** Check a login and password outside SASL (POP3 USER/PASS, IMAP LOGIN), with the same penalty and delay on failure. */
export async function checkPassword(users: UserDirectory, login: string, password: string, failureDelayMs: number, guard?: LoginGuard): Promise<string> {
  const check = () => users.verify(login, password);
  const user = await (guard ? guard(login, check) : check());
  return user ?? failAfterDelay(failureDelayMs, "authentication failed");
}

/** Wait, then refuse: slows down password guessing (Dovecot's auth_failure_delay). */
export async function failAfterDelay(ms: number, message: string): Promise<never> {
  if (ms > 0) await sleep(ms);
  throw new ClientError("auth-failed", message);
}
