// Protocol name → driver and capability probe: the one place runner/exec/
// learns which protocols exist.
// Standards: RFC 5321 (smtp), RFC 1939 (pop3), RFC 3501 (imap).

import type { Protocol } from "../model/ast.ts";
import type { CapabilityProbe, ProtocolDriver } from "./driver.ts";
import { imapDriver } from "./imap/driver.ts";
import { probeImap } from "./imap/probe.ts";
import { pop3Driver } from "./pop3/driver.ts";
import { probePop3 } from "./pop3/probe.ts";
import { smtpDriver } from "./smtp/driver.ts";
import { probeSmtp } from "./smtp/probe.ts";

export const DRIVERS: Record<Protocol, ProtocolDriver> = { smtp: smtpDriver, pop3: pop3Driver, imap: imapDriver };
export const PROBES: Record<Protocol, CapabilityProbe> = { smtp: probeSmtp, pop3: probePop3, imap: probeImap };
