// MAIL FROM: opens a mail transaction with a reverse-path (possibly <>) and
// the ESMTP parameters SIZE, BODY, SMTPUTF8, AUTH, DSN's RET and ENVID, and
// REQUIRETLS (on a TLS-protected session only).
// A server short of memory refuses the transaction here with 452 4.3.1, as
// Postfix does when its queue lacks room for a message of the size limit.
// Standards: RFC 5321 §4.1.1.2 and §3.3, RFC 1870 §6 (SIZE, 452), RFC 6152 (BODY=8BITMIME),
// RFC 6531 §3.4 (SMTPUTF8), RFC 4954 §5 (AUTH=), §4.5.5 (null reverse-path), RFC 6409 §4.3, §6.1 (submission),
// RFC 3461 §4.3-4.4 (RET, ENVID), RFC 8689 §2, §4.1 (REQUIRETLS).

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError, LimitExceeded, Overloaded } from "../../core/errors.ts";
import { parsePathArgument } from "../grammar.ts";
import { parseEnvid, parseRet, type TransactionDsn } from "../dsn.ts";
import { checkSender, requireAuthentication } from "../submission.ts";
import { offersRequireTls } from "./ehlo.ts";
import type { SmtpSession } from "../states.ts";
import { reply } from "../vocabulary.ts";

export const mail: CommandRow<SmtpSession> = {
  verb: "MAIL",
  // RFC 5321 §4.1.4: MAIL needs EHLO/HELO first, and a nested MAIL is a 503.
  states: ["greeted"],
  handle(s, command) {
    requireAuthentication(s, "MAIL");
    const { mailbox, params } = parsePathArgument(command.args, "FROM");
    let body: "7BIT" | "8BITMIME" = "7BIT";
    let utf8 = false;
    let size: number | null = null;
    const dsn: TransactionDsn = {};
    let requireTls = false;
    for (const [key, value] of params) {
      switch (key) {
        case "SIZE": {
          // size-value = 1*20DIGIT (RFC 1870 §3)
          if (value === null || !/^\d{1,20}$/.test(value)) throw new ClientError("syntax", "SIZE needs a number");
          const limit = s.context.config.smtp.maxMessageOctets;
          if (Number(value) > limit) {
            throw new LimitExceeded("message-too-big", `message size exceeds fixed maximum message size of ${limit} octets`);
          }
          size = Number(value);
          break;
        }
        case "BODY": {
          const v = value?.toUpperCase();
          if (v !== "7BIT" && v !== "8BITMIME") throw new ClientError("syntax", "BODY must be 7BIT or 8BITMIME");
          body = v;
          break;
        }
        case "SMTPUTF8":
          if (value !== null) throw new ClientError("syntax", "SMTPUTF8 takes no value");
          utf8 = true;
          break;
        case "AUTH":
          // RFC 4954 §5: accepted; we do not relay, so the identity is not passed on.
          break;
        case "RET":
          dsn.ret = parseRet(value);
          break;
        case "ENVID":
          dsn.envid = parseEnvid(value);
          break;
        case "REQUIRETLS":
          // Offered only under TLS (RFC 8689 §2): on a clear session it is a parameter no advertised extension defines.
          if (!offersRequireTls(s)) throw new ClientError("unsupported-parameter", "REQUIRETLS needs a TLS-protected session");
          if (value !== null) throw new ClientError("syntax", "REQUIRETLS takes no value");
          requireTls = true;
          break;
        default:
          throw new ClientError("unsupported-parameter", `parameter ${key} not supported`);
      }
    }
    if (mailbox?.utf8 && !utf8) throw new ClientError("non-ascii-address", "non-ASCII address needs SMTPUTF8");
    checkSender(s, mailbox?.text ?? "");
    // RFC 1870 §6.1: 452 when the size "exceeds the space temporarily available"; without SIZE, room for the largest message.
    if (!s.context.memory.hasRoomFor(size ?? s.context.config.smtp.maxMessageOctets)) {
      throw new Overloaded("insufficient system storage, try again later");
    }
    s.transaction = { reversePath: mailbox?.text ?? "", utf8, body, dsn, requireTls, recipients: [], chunks: null };
    reply(s, 250, "2.1.0", "sender OK");
  },
};
