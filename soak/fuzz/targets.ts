// Every in-process fuzz target, in the order the soak and the CI test run them.
// Standards: see each target's module.

import { imapCommandTarget } from "./imap.ts";
import { mimeTarget } from "./mime.ts";
import { pop3CommandTarget } from "./pop3.ts";
import { smtpCommandTarget, smtpDataTarget } from "./smtp.ts";
import type { FuzzTarget } from "./target.ts";

export const FUZZ_TARGETS: FuzzTarget<any>[] = [smtpCommandTarget, smtpDataTarget, pop3CommandTarget, imapCommandTarget, mimeTarget];
