// The SCRAM-SHA-1 / SCRAM-SHA-256 (and -PLUS) client of the `auth` step: the
// client-first message (gs2 header, user name, a random nonce), the proof
// computed from the password and the server's salt and iteration count, and
// the check of the server's signature (v=) — a wrong or missing one fails the
// step. A -PLUS mechanism binds to the connection's TLS channel: "p=" with the
// session's type (tls-exporter under TLS 1.3, tls-unique before) and its data
// in c=. `tamper` and `channel-binding` let negative tests send a wrong proof,
// an altered nonce, binding data one bit off, a c= whose header is not the one
// sent, or a "y" / "p=" channel-binding flag.
// Standards: RFC 5802 §3, §5, §5.1, §6, §7; RFC 7677 §3; RFC 5929 §3 / RFC 9266 §2 (wire/channel-binding.ts); RFC 4013 (SASLprep).

import { randomBytes } from "node:crypto";
import type { AuthStep } from "../../model/ast.ts";
import { StepFailure } from "../../session/step-failure.ts";
import { saslprep, SaslprepError } from "../../../wire/saslprep.ts";
import type { ChannelBinding } from "../../../wire/channel-binding.ts";
import {
  authMessage,
  bindsChannel,
  clientProof,
  encodeSaslname,
  hi,
  isBase64,
  keysFromSaltedPassword,
  NONCE,
  parseAttributes,
  SCRAM_MECHANISMS,
  serverSignature,
  type ScramMechanismName,
} from "../../../wire/scram.ts";

/** Iteration counts above this are refused: a hostile server could make the runner compute for minutes (RFC 5802 §9). */
export const MAX_CLIENT_ITERATIONS = 1_000_000;
/** The channel-binding type a `channel-binding: p` step names on a mechanism without -PLUS (a server must refuse it). */
const CHANNEL_BINDING_TYPE = "tls-unique";

export interface ScramOptions {
  channelBinding: NonNullable<AuthStep["channelBinding"]>;
  tamper?: AuthStep["tamper"];
  /** The connection's TLS channel binding (runner/session/connection.ts); a -PLUS mechanism needs it. */
  channel?: ChannelBinding | null;
  /** Fixed client nonce (unit tests with the RFC examples); random otherwise. */
  clientNonce?: string;
}

/** The client side of one exchange; each method returns the message to send, as text. */
export class ScramClient {
  private readonly hash;
  private readonly gs2Header: string;
  /** cbind-data: the channel's binding data with -PLUS, none otherwise. */
  private readonly bindingData: Buffer;
  private readonly clientFirstBare: string;
  private readonly clientNonce: string;
  private expectedSignature: Buffer | null = null;
  private serverVerified = false;

  constructor(
    readonly mechanism: ScramMechanismName,
    login: string,
    private readonly password: string,
    private readonly options: ScramOptions,
  ) {
    this.hash = SCRAM_MECHANISMS[mechanism];
    // gs2-cbind-flag: "n" (no channel binding), "y" (supported, but the server seems not to), "p=" cb-name.
    let flag: string = options.channelBinding;
    if (bindsChannel(mechanism)) {
      const channel = options.channel;
      if (!channel) throw new Error(`${mechanism} binds to the TLS channel (RFC 5802 §6): the connection must use TLS (tls: starttls or implicit)`);
      flag = `p=${channel.type}`;
      this.bindingData = channel.data;
    } else {
      if (options.channelBinding === "p") flag = `p=${CHANNEL_BINDING_TYPE}`;
      // Without -PLUS the runner does not bind: with "p" it sends placeholder data, which a server that
      // does not support channel binding must never read — it fails the client-first-message (RFC 5802 §6).
      this.bindingData = options.channelBinding === "p" ? Buffer.alloc(12) : Buffer.alloc(0);
    }
    this.gs2Header = `${flag},,`;
    this.clientNonce = options.clientNonce ?? randomBytes(18).toString("base64");
    this.clientFirstBare = `n=${encodeSaslname(prepare(login, "query", "user name"))},r=${this.clientNonce}`;
  }

  /** client-first-message = gs2-header client-first-message-bare. */
  clientFirst(): string {
    return this.gs2Header + this.clientFirstBare;
  }

  /** The client-final-message answering the server-first-message. */
  async clientFinal(serverFirst: string): Promise<string> {
    const attributes = parseAttributes(serverFirst);
    // server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
    if (attributes?.[0]?.name === "m") {
      throw violation("the server-first-message carries a mandatory extension (m=), which must fail the exchange (RFC 5802 §5.1)", serverFirst);
    }
    const [nonce, salt, iterations] = attributes ?? [];
    if (nonce?.name !== "r" || salt?.name !== "s" || iterations?.name !== "i") {
      throw violation("the server-first-message is not r=…,s=…,i=… (RFC 5802 §7)", serverFirst);
    }
    // "The client MUST verify that the initial part of the nonce used in subsequent messages is the same as the nonce it initially specified."
    if (!nonce.value.startsWith(this.clientNonce) || !NONCE.test(nonce.value)) {
      throw violation("the server's nonce does not start with the client's nonce (RFC 5802 §5.1)", serverFirst);
    }
    if (!isBase64(salt.value) || salt.value === "") throw violation("the salt is not base64 (RFC 5802 §7)", serverFirst);
    if (!/^[1-9][0-9]*$/.test(iterations.value) || Number(iterations.value) > MAX_CLIENT_ITERATIONS) {
      throw violation(`the iteration count is not a positive number up to ${MAX_CLIENT_ITERATIONS} (RFC 5802 §7)`, serverFirst);
    }
    const saltedPassword = await hi(this.hash, prepare(this.password, "stored", "password"), Buffer.from(salt.value, "base64"), Number(iterations.value));
    const keys = keysFromSaltedPassword(this.hash, saltedPassword);
    const sentNonce = this.options.tamper === "nonce" ? alterLast(nonce.value) : nonce.value;
    const withoutProof = `c=${this.channelBindingInput().toString("base64")},r=${sentNonce}`;
    const message = authMessage(this.clientFirstBare, serverFirst, withoutProof);
    const proof = clientProof(this.hash, keys, message);
    // A wrong proof: one bit off, so only the proof check can refuse it.
    if (this.options.tamper === "proof") proof[0]! ^= 0x01;
    this.expectedSignature = serverSignature(this.hash, keys.serverKey, message);
    return `${withoutProof},p=${proof.toString("base64")}`;
  }

  /**
   * Check a server-final-message: "v=" must carry the ServerSignature ("If the
   * two are different, the client MUST consider the authentication exchange to
   * be unsuccessful"); "e=" is the server's refusal, returned for the caller.
   */
  serverFinal(text: string): { error: string } | { verified: true } {
    const first = parseAttributes(text)?.[0];
    if (first?.name === "e") return { error: first.value };
    if (first?.name !== "v" || !isBase64(first.value)) throw violation("the server-final-message is neither v=… nor e=… (RFC 5802 §7)", text);
    if (this.expectedSignature === null) throw violation("a server-final-message before the client-final-message", text);
    if (!Buffer.from(first.value, "base64").equals(this.expectedSignature)) {
      throw new StepFailure(
        "assertion",
        `${this.mechanism}: the server signature (v=) is wrong; the client MUST consider the exchange unsuccessful (RFC 5802 §5)`,
        `v=${this.expectedSignature.toString("base64")}`,
        text,
      );
    }
    this.serverVerified = true;
    return { verified: true };
  }

  /** After the server's success reply: it must have proved it knows the user's ServerKey. */
  requireServerVerified(): void {
    if (!this.serverVerified) {
      throw new StepFailure(
        "assertion",
        `${this.mechanism}: the server reported success without a server-final-message (v=) for the client to verify (RFC 5802 §5)`,
        "a challenge or success data carrying v=<ServerSignature>",
        "success without v=",
      );
    }
  }

  /** cbind-input = gs2-header [cbind-data]: data only with "p" (RFC 5802 §7); tampered on request. */
  private channelBindingInput(): Buffer {
    const data = Buffer.from(this.bindingData);
    // One bit off: only the server's check of c= against its own channel can refuse it.
    if (this.options.tamper === "channel-binding" && data.length > 0) data[0]! ^= 0x01;
    const header = this.options.tamper === "gs2-header" ? otherGs2Header(this.gs2Header) : this.gs2Header;
    return Buffer.concat([Buffer.from(header, "utf8"), data]);
  }
}

/** A gs2 header with another flag and the same authzid part: "p=…" and "y" become "n", "n" becomes "y". */
function otherGs2Header(header: string): string {
  const rest = header.slice(header.indexOf(","));
  return header.startsWith("n,") ? `y${rest}` : `n${rest}`;
}

function prepare(text: string, kind: "stored" | "query", what: string): string {
  try {
    return saslprep(text, kind);
  } catch (error) {
    if (error instanceof SaslprepError) throw new Error(`the ${what} cannot be prepared with SASLprep for SCRAM (RFC 4013): ${error.message}`);
    throw error;
  }
}

/** The nonce with its last character changed to another printable one. */
function alterLast(nonce: string): string {
  const last = nonce.at(-1);
  return nonce.slice(0, -1) + (last === "A" ? "B" : "A");
}

function violation(message: string, actual: string): StepFailure {
  return new StepFailure("protocol-violation", message, undefined, actual);
}
