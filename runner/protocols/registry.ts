// Protocol name → driver: the one place runner/exec/ learns which protocols exist.
// Standards: RFC 5321 (smtp), RFC 1939 (pop3), RFC 3501 (imap), RFC 2033 (lmtp: the SMTP driver with LHLO).

import type { Protocol } from "../model/ast.ts";
import type { ProtocolDriver } from "./common/driver.ts";
import { imapDriver } from "./imap/driver.ts";
import { pop3Driver } from "./pop3/driver.ts";
import { lmtpDriver, smtpDriver } from "./smtp/driver.ts";

export const DRIVERS: Record<Protocol, ProtocolDriver> = { smtp: smtpDriver, pop3: pop3Driver, imap: imapDriver, lmtp: lmtpDriver };
