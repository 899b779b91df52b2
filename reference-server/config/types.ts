// The resolved server configuration every part of the server reads: what
// config/load.ts produces from a YAML file merged over config/defaults.ts.
// Types only, so that engines can depend on it without pulling in the loader.
// Standards: RFC 5321 §4.5.3 (limits, timeouts), RFC 1939 §3 (autologout), RFC 3207 / RFC 2595 (TLS policy).

export type SaslMechanismName = "PLAIN" | "LOGIN" | "CRAM-MD5" | "SCRAM-SHA-1" | "SCRAM-SHA-256" | "SCRAM-SHA-1-PLUS" | "SCRAM-SHA-256-PLUS";

export interface UserConfig {
  /** Login name, also the store's user name. */
  name: string;
  /** `plain:<text>` (development) or `scrypt$N$r$p$<salt b64>$<hash b64>`. */
  password: string;
  /** Primary address; its domain must be one of `domains`. */
  address: string;
  /** Further addresses delivered to this user. */
  aliases: string[];
  /**
   * This user's quota, in place of imap.quota's (each resource given here
   * replaces that one); absent = imap.quota. Delivery checks it (and only a
   * user's own quota): a copy that would exceed it fails for this recipient
   * alone (SMTP: a failure DSN after the 250; LMTP: 552 5.2.2 for this recipient).
   */
  quota?: { storageKiB: number | null; messages: number | null };
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
  store: {
    /**
     * true (the default): what a reply reports as stored is on disk first
     * (O_DSYNC writes, fsync(2) of files and directories). false is for
     * throwaway servers only — the bundled server of `mailconform run`, whose
     * data is deleted when it stops: no sync at all, renames still atomic, so
     * a crash or power loss may lose or tear mail that was acknowledged.
     */
    durable: boolean;
  };
  listen: {
    host: string;
    /** LMTP N+24, SMTP N+25, POP3 N+110, IMAP N+143, SMTPS N+465, submission N+587, IMAPS N+993, POP3S N+995. */
    portBase: number;
    /** A Unix-domain socket where LMTP listens too (RFC 2033 §5: LMTP is not for TCP port 25; local delivery often uses a socket); null = none. */
    lmtpSocket: string | null;
  };
  /**
   * Connections open at once, counted across every listener; one more is refused with 421 / -ERR / BYE.
   * maxTotal is an upper bound: at start the server lowers it to what its file-descriptor limit allows (core/descriptor-limit.ts).
   */
  connections: { maxTotal: number; maxPerAddress: number };
  /** Octets of client data held in memory at once over all sessions (core/memory-budget.ts). */
  memory: { maxHeldOctets: number };
  /** PEM files; null = generate a development certificate into the data directory. */
  tls: { cert: string; key: string } | null;
  auth: {
    /** Where AUTH PLAIN/LOGIN, USER/PASS may run without TLS (RFC 8314 §5.1 / RFC 2595 §2.1). */
    plaintextWithoutTls: "loopback" | "always" | "never";
    /** Pause before answering a failed authentication, against password guessing; the penalty's first step. */
    failureDelayMs: number;
    /**
     * Longest wait the failed-login penalty puts before the next check of an
     * account or client address with failures (doubling from failureDelayMs per
     * failure); 0 turns the shared penalty off (the per-connection delay stays).
     */
    penaltyMaxMs: number;
    /** Failures older than this are forgotten. */
    penaltyForgetMs: number;
    mechanisms: SaslMechanismName[];
    /** The iteration count SCRAM announces (RFC 7677 §3: "SHOULD be at least 4096"). */
    scramIterations: number;
  };
  smtp: {
    maxMessageOctets: number;
    maxRecipients: number;
    /** What DATA does with bare LF / bare CR: refuse the message (default) or turn them into CRLF. */
    bareLineEndings: "reject" | "normalize";
    /** Deadline for one whole command line (not reset by each octet). */
    commandTimeoutMs: number;
    /** Longest stall in DATA or a BDAT chunk, and the grace before the minimum rate applies. */
    dataTimeoutMs: number;
    /** DATA and BDAT must arrive at least this fast once dataTimeoutMs of grace is spent (Postfix smtpd_min_data_rate). */
    minDataOctetsPerSecond: number;
    maxBadCommands: number;
    /** Refuse everything but EHLO/HELO/STARTTLS/NOOP/QUIT/RSET before TLS (RFC 3207 §4). */
    requireTls: boolean;
  };
  pop3: {
    /** Autologout timer, and the deadline for one whole command line. */
    idleTimeoutMs: number;
    maxBadCommands: number;
    requireTls: boolean;
  };
  imap: {
    /** Autologout timer, and the deadline for one whole command line; RFC 3501 §5.4: at least 30 minutes. */
    idleTimeoutMs: number;
    maxBadCommands: number;
    /** Refuse everything but CAPABILITY/NOOP/LOGOUT/STARTTLS before TLS. */
    requireTls: boolean;
    /** Largest message APPEND accepts (advertised as APPENDLIMIT, RFC 7889). */
    maxAppendOctets: number;
    /** Literals must arrive at least this fast once idleTimeoutMs of grace is spent. */
    minLiteralOctetsPerSecond: number;
    /** Authenticated sessions of one user at once; one more login gets NO [LIMIT] (RFC 5530). */
    maxSessionsPerUser: number;
    /**
     * Every user's quota (RFC 9208), one root per user over all mailboxes: STORAGE in units of
     * 1024 octets, MESSAGE in messages; null = that resource is not limited (the default).
     * APPEND and COPY that would exceed a limit get NO [OVERQUOTA] and store nothing.
     */
    quota: { storageKiB: number | null; messages: number | null };
  };
}
