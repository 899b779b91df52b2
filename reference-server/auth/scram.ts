// SASL SCRAM-SHA-1 and SCRAM-SHA-256 and their -PLUS variants, server side,
// for SMTP, POP3 and IMAP alike (runSasl carries it): the client-first message
// (gs2 header, user, client nonce) is answered with the server-first message
// (the nonce with ours appended, the user's salt and the iteration count); the
// client-final message must echo that nonce and the header (with -PLUS: and
// the TLS channel's binding data, tls-exporter under TLS 1.3, tls-unique
// before), and carry a proof that hashes to the user's StoredKey; the
// server-final message (v=ServerSignature) goes out as additional data with
// success. Without -PLUS "p=" is refused; "y" is refused on a TLS session
// where -PLUS is offered (a downgrade), accepted elsewhere. Keys come from the plaintext-stored
// password (like CRAM-MD5), salted once per user and server run; an unknown
// user gets a stable made-up salt, so the exchange does not tell users apart.
// Standards: RFC 5802 §3, §5, §5.1, §6, §7; RFC 7677 §3; RFC 5929 §3, RFC 9266 §2 (wire/channel-binding.ts); RFC 4013 (SASLprep); RFC 4422 (additional data with success).

import { createHmac, randomBytes } from "node:crypto";
import { constantTimeEqual } from "../users/passwords.ts";
import type { UserDirectory } from "../users/directory.ts";
import { saslprep, SaslprepError } from "../../wire/saslprep.ts";
import {
  authMessage,
  bindsChannel,
  decodeSaslname,
  hi,
  isBase64,
  keysFromSaltedPassword,
  NONCE,
  parseAttributes,
  proofMatches,
  SCRAM_MECHANISMS,
  serverSignature,
  type ScramHash,
  type ScramMechanismName,
} from "../../wire/scram.ts";
import type { SaslExchange, SaslMechanism, SaslStep } from "./sasl.ts";

/** RFC 7677 §3 / RFC 5802 §5.1: "the hash iteration-count announced by a server SHOULD be at least 4096". */
export const MIN_SCRAM_ITERATIONS = 4096;
const SALT_OCTETS = 16;
const SERVER_NONCE_OCTETS = 18;

// gs2-header = gs2-cbind-flag "," [ authzid ] "," ; gs2-cbind-flag = ("p=" cb-name) / "n" / "y"   (RFC 5802 §7)
const CLIENT_FIRST = /^(n|y|p=[A-Za-z0-9.-]+),(a=[^,]*)?,(.*)$/s;

interface StoredScram {
  salt: Buffer;
  iterations: number;
  /** StoredKey and ServerKey, derived once (Hi() is deliberately slow); null when the password cannot be prepared. */
  keys: Promise<{ storedKey: Buffer; serverKey: Buffer } | null>;
}

// Per user directory (one per server), per hash and user: the salt and derived keys of this run.
const stores = new WeakMap<UserDirectory, Map<string, StoredScram>>();
// Keys the made-up salts of unknown users, so they stay the same within a run without being guessable.
const unknownUserKey = randomBytes(32);

function storedScram(users: UserDirectory, hash: ScramHash, iterations: number, userName: string, password: string): StoredScram {
  let store = stores.get(users);
  if (store === undefined) stores.set(users, (store = new Map()));
  const key = `${hash} ${userName}`;
  const known = store.get(key);
  if (known !== undefined && known.iterations === iterations) return known;
  const salt = randomBytes(SALT_OCTETS);
  const entry: StoredScram = { salt, iterations, keys: deriveKeys(hash, password, salt, iterations) };
  store.set(key, entry);
  return entry;
}

async function deriveKeys(hash: ScramHash, password: string, salt: Buffer, iterations: number): Promise<{ storedKey: Buffer; serverKey: Buffer } | null> {
  let normalized: string;
  try {
    // SaltedPassword := Hi(Normalize(password), salt, i), the password a "stored string" (RFC 5802 §2.2).
    normalized = saslprep(password, "stored");
  } catch (error) {
    if (error instanceof SaslprepError) return null;
    throw error;
  }
  const { storedKey, serverKey } = keysFromSaltedPassword(hash, await hi(hash, normalized, salt, iterations));
  return { storedKey, serverKey };
}

/**
 * `plusOffered`: the server offers this mechanism's -PLUS variant, so it
 * "supports channel binding" on a TLS session — there a "y" flag is refused.
 */
export function scramMechanism(mechanismName: ScramMechanismName, iterations: number, plusOffered = false): SaslMechanism {
  const hash = SCRAM_MECHANISMS[mechanismName];
  const plus = bindsChannel(mechanismName);
  return {
    name: mechanismName,
    plaintext: false,
    bindsChannel: plus,
    start(_hostname, users, channel): SaslExchange {
      let state: "start" | "challenged" | "first-answered" | "done" = "start";
      let gs2Header = "";
      /** cbind-data the client must send after the gs2 header: the channel's, with "p=". */
      let bindingData: Buffer = Buffer.alloc(0);
      let clientFirstBare = "";
      let serverFirst = "";
      let nonce = "";
      let login = "";
      let authzid: string | null = null;
      return {
        next(response): SaslStep {
          if (state === "start" && response === null) {
            // SCRAM is client-first: an empty challenge asks for the client-first message.
            state = "challenged";
            return { challenge: Buffer.alloc(0) };
          }
          if (state === "start" || state === "challenged") {
            if (response === null) return { malformed: "no client-first message" };
            state = "first-answered";
            const match = CLIENT_FIRST.exec(response.toString("utf8"));
            // "the client's first message will always start with "n", "y", or "p"; otherwise, the message is invalid and authentication MUST fail."
            if (!match) return { malformed: "malformed SCRAM client-first message" };
            const flag = match[1]!;
            if (plus) {
              // A -PLUS exchange is the one that binds: "p=" and a type this TLS session defines.
              if (!flag.startsWith("p=")) return { malformed: `${mechanismName} needs channel binding (p=)` };
              const data = channel?.binding(flag.slice(2)) ?? null;
              // "If the channel binding flag was "p" and the server does not support the indicated channel binding type, then the server MUST fail authentication."
              if (data === null) return { malformed: `channel binding type ${flag.slice(2)} is not supported on this session` };
              bindingData = data;
            } else {
              if (flag.startsWith("p=")) return { malformed: "channel binding is not supported (SCRAM without -PLUS)" };
              // "If the flag is set to "y" and the server supports channel binding, the server MUST fail authentication."
              if (flag === "y" && plusOffered && channel !== null) return { malformed: "the client thinks the server does not support channel binding, but it does (a downgrade)" };
            }
            gs2Header = `${match[1]!},${match[2] ?? ""},`;
            if (match[2] !== undefined) {
              authzid = decodeSaslname(match[2].slice(2));
              if (authzid === null || authzid === "") return { malformed: "malformed SCRAM authzid" };
            }
            clientFirstBare = match[3]!;
            const attributes = parseAttributes(clientFirstBare);
            // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]; an m= MUST fail.
            if (attributes === null || attributes[0]?.name !== "n" || attributes[1]?.name !== "r") return { malformed: "malformed SCRAM client-first message" };
            const name = decodeSaslname(attributes[0].value);
            if (name === null || !NONCE.test(attributes[1].value)) return { malformed: "malformed SCRAM user name or nonce" };
            try {
              login = saslprep(name, "query");
            } catch (error) {
              if (error instanceof SaslprepError) return { malformed: "SCRAM user name fails SASLprep" };
              throw error;
            }
            nonce = attributes[1].value + randomBytes(SERVER_NONCE_OCTETS).toString("base64");
            serverFirst = `r=${nonce},s=${saltFor(users, hash, iterations, login).toString("base64")},i=${iterations}`;
            return { challenge: Buffer.from(serverFirst) };
          }
          if (state !== "first-answered" || response === null) return { malformed: "unexpected SCRAM message" };
          state = "done";
          // client-final-message = channel-binding "," nonce ["," extensions] "," proof
          const text = response.toString("utf8");
          const proofAt = text.lastIndexOf(",p=");
          const withoutProof = proofAt === -1 ? "" : text.slice(0, proofAt);
          const proof = text.slice(proofAt + 3);
          const attributes = parseAttributes(withoutProof);
          if (proofAt === -1 || attributes === null || attributes[0]?.name !== "c" || attributes[1]?.name !== "r" || !isBase64(proof) || !isBase64(attributes[0].value)) {
            return { malformed: "malformed SCRAM client-final message" };
          }
          // "The server MUST always validate the client's "c=" field": the gs2 header, then the channel's data with "p=".
          const expectedBinding = Buffer.concat([Buffer.from(gs2Header, "utf8"), bindingData]);
          if (!constantTimeEqual(Buffer.from(attributes[0].value, "base64"), expectedBinding)) return { malformed: "SCRAM channel binding does not match" };
          // "The server MUST verify that the nonce sent by the client in the second message is the same as the one sent by the server in its first message."
          if (attributes[1].value !== nonce) return { malformed: "SCRAM nonce does not match" };
          const message = authMessage(clientFirstBare, serverFirst, withoutProof);
          let signature: Buffer | null = null;
          return {
            credentials: {
              kind: "scram",
              login,
              async verify() {
                const user = users.byLogin(login);
                const password = user ? users.plaintextPassword(login) : null;
                // An unknown user is checked against a decoy's keys: the same work as a known one, never a match.
                const stored = user && password !== null ? storedScram(users, hash, iterations, user.name, password) : decoy(users, hash, iterations);
                const keys = await stored.keys;
                const matches = keys !== null && proofMatches(hash, keys.storedKey, message, Buffer.from(proof, "base64"));
                if (!user || !matches) return null;
                // Like PLAIN: an authorization identity must name the same user.
                if (authzid !== null && users.byLogin(authzid)?.name !== user.name) return null;
                signature = serverSignature(hash, keys.serverKey, message);
                return user.name;
              },
              successData: () => Buffer.from(`v=${signature!.toString("base64")}`),
            },
          };
        },
      };
    },
  };
}

/** The user's salt; for an unknown user (or one without a plaintext password) a made-up one that stays the same. */
function saltFor(users: UserDirectory, hash: ScramHash, iterations: number, login: string): Buffer {
  const user = users.byLogin(login);
  const password = user ? users.plaintextPassword(login) : null;
  if (user && password !== null) return storedScram(users, hash, iterations, user.name, password).salt;
  return createHmac("sha256", unknownUserKey).update(`${hash} ${login.toLowerCase()}`).digest().subarray(0, SALT_OCTETS);
}

/**
 * Keys for a random password, kept like a user's: checking an unknown user's proof
 * against them costs what a known user's check costs (derived once, then cached),
 * so timing does not tell users apart either. One per hash, not per login tried.
 */
function decoy(users: UserDirectory, hash: ScramHash, iterations: number): StoredScram {
  return storedScram(users, hash, iterations, "\0decoy", randomBytes(SALT_OCTETS).toString("hex"));
}
