// The resolved server configuration every part of the server reads: what
// config/load.ts produces from a YAML file merged over config/defaults.ts.
// Types only, so that engines can depend on it without pulling in the loader.
// Standards: RFC 5321 §4.5.3 (limits, timeouts), RFC 1939 §3 (autologout), RFC 3207 / RFC 2595 (TLS policy).

export type SaslMechanismName = "PLAIN" | "LOGIN" | "CRAM-MD5";

export interface UserConfig {
  /** Login name, also the store's user name. */
  name: string;
  /** `plain:<text>` (development) or `scrypt$N$r$p$<salt b64>$<hash b64>`. */
  password: string;
  /** Primary address; its domain must be one of `domains`. */
  address: string;
  /** Further addresses delivered to this user. */
  aliases: string[];
}

export interface ServerConfig {
  /** Host name in greetings and Received headers. */
  hostname: string;
  /** Mail domains delivered locally, lower case; the first is the default domain. */
  domains: string[];
  users: UserConfig[];
  /** User that receives mail for `postmaster` (RFC 5321 §4.5.1); null = the first user. */
  postmaster: string | null;
  /** Data directory (Maildir, generated TLS certificate); null = chosen by the caller. */
  dataDir: string | null;
  listen: {
    host: string;
    /** SMTP N+25, POP3 N+110, IMAP N+143, SMTPS N+465, IMAPS N+993, POP3S N+995. */
    portBase: number;
  };
  /** Connections open at once, counted across every listener; one more is refused with 421 / -ERR / BYE. */
  connections: { maxTotal: number; maxPerAddress: number };
  /** PEM files; null = generate a development certificate into the data directory. */
  tls: { cert: string; key: string } | null;
  auth: {
    /** Where AUTH PLAIN/LOGIN, USER/PASS may run without TLS (RFC 8314 §5.1 / RFC 2595 §2.1). */
    plaintextWithoutTls: "loopback" | "always" | "never";
    /** Pause before answering a failed authentication, against password guessing. */
    failureDelayMs: number;
    mechanisms: SaslMechanismName[];
  };
  smtp: {
    maxMessageOctets: number;
    maxRecipients: number;
    /** What DATA does with bare LF / bare CR: refuse the message (default) or turn them into CRLF. */
    bareLineEndings: "reject" | "normalize";
    commandTimeoutMs: number;
    dataTimeoutMs: number;
    maxBadCommands: number;
    /** Refuse everything but EHLO/HELO/STARTTLS/NOOP/QUIT/RSET before TLS (RFC 3207 §4). */
    requireTls: boolean;
  };
  pop3: {
    idleTimeoutMs: number;
    maxBadCommands: number;
    requireTls: boolean;
  };
  imap: {
    /** Autologout timer; RFC 3501 §5.4: at least 30 minutes. */
    idleTimeoutMs: number;
    maxBadCommands: number;
    /** Refuse everything but CAPABILITY/NOOP/LOGOUT/STARTTLS before TLS. */
    requireTls: boolean;
    /** Largest message APPEND accepts (advertised as APPENDLIMIT, RFC 7889). */
    maxAppendOctets: number;
    /** Authenticated sessions of one user at once; one more login gets NO [LIMIT] (RFC 5530). */
    maxSessionsPerUser: number;
  };
}
