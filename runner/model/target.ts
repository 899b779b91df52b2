// A server under test, as read from a target file or CLI flags: types, and
// the one rule of which port a connection's TLS mode dials (plan and exec share it).

import type { CapabilityState, Protocol, TlsMode } from "./ast.ts";

export interface Endpoint {
  /** 0 when `socket` is given. */
  port: number;
  tls: TlsMode;
  /**
   * LMTP only: an absolute Unix-domain socket path dialled instead of host and
   * port (`lmtp: { socket: /run/lmtp }`): local delivery agents often listen on one (RFC 2033 §5).
   */
  socket?: string;
  /**
   * A second port speaking implicit TLS (smtps 465, pop3s 995, imaps 993)
   * when `port` is plain or STARTTLS: where a connection declared with
   * `tls: implicit` goes. Absent when the target has none.
   */
  implicitTlsPort?: number;
  /**
   * IMAP only: where the user's mailboxes go (${imap.prefix}, ${imap.delimiter}).
   * From the target file, else filled in from what the probe read from NAMESPACE or `LIST "" ""`.
   */
  mailboxPrefix?: string;
  delimiter?: string;
  /**
   * SMTP and LMTP only: an address the server accepts at RCPT whose delivery
   * then fails (a mailbox over quota), for the failure-report tests
   * (${smtp.failing_recipient}, ${lmtp.failing_recipient}); absent: they are skipped.
   */
  failingRecipient?: string;
}

/**
 * The port a connection in TLS mode `tls` dials on `endpoint`: an implicit-TLS
 * connection goes to the implicit port when the main port is plain or
 * STARTTLS (RFC 8314 §3.3 runs them side by side); undefined when the target
 * has no port that speaks that mode (no implicit port; or only an implicit
 * one, which cannot carry a plain or STARTTLS dialogue).
 */
export function portFor(endpoint: Endpoint, tls: TlsMode): number | undefined {
  if (tls === "implicit") return endpoint.tls === "implicit" ? endpoint.port : endpoint.implicitTlsPort;
  return endpoint.tls === "implicit" ? undefined : endpoint.port;
}

/**
 * Where an IMAP target keeps a user's own mailboxes: the personal namespace's
 * prefix ("" or "INBOX.") and its hierarchy delimiter ("" when the server
 * has no hierarchy). Per-test mailbox names are built from it (${imap.prefix},
 * ${imap.delimiter}). Standards: RFC 2342 §5, RFC 3501 §6.3.8.
 */
export interface ImapNamespace {
  prefix: string;
  delimiter: string;
}

/** What a server advertised in each state the probe reached (upper-case keywords). */
export type AdvertisedSets = Partial<Record<CapabilityState, ReadonlySet<string>>>;

export interface TargetUser {
  login: string;
  password: string;
  address: string;
}

export interface Target {
  name: string;
  host: string;
  domain: string;
  /** Only the protocols given can be tested; tests of others are skipped with a reason. */
  endpoints: Partial<Record<Protocol, Endpoint>>;
  /**
   * The message submission service (RFC 6409, port 587): SMTP with AUTH
   * required before MAIL. A connection declared `endpoint: submission` dials
   * it; tests with one are skipped when the target names none. The probe and
   * `requires` still read the `smtp` endpoint.
   */
  submission?: Endpoint;
  /** Skip certificate verification. Off by default. */
  insecure: boolean;
  /**
   * Absolute path of a PEM file whose certificates are trusted instead of the
   * system's CAs (a private CA, or the server's own self-signed certificate,
   * pinned): the host name and expiry are still checked.
   */
  tlsCa?: string;
  /** The first is the main user; tests that need two users use the second. */
  users: TargetUser[];
  /** `jobs:` of a grading file: tests grade runs at once on this target (runner/grade/jobs.ts); run takes --jobs. */
  jobs?: number;
}

/** Named endpoints a connection may ask for instead of its protocol's own (`endpoint: submission`). */
export const NAMED_ENDPOINTS = ["submission"] as const;
export type NamedEndpoint = (typeof NAMED_ENDPOINTS)[number];

/** The endpoint a connection of `protocol` dials: the named one when it asks for one, else its protocol's. */
export function endpointFor(target: Pick<Target, "endpoints" | "submission">, protocol: Protocol, named: NamedEndpoint | undefined): Endpoint | undefined {
  return named === "submission" ? target.submission : target.endpoints[protocol];
}
