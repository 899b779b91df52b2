// Protocol name → the classifier that places its transcript lines, one per
// connection; handed to each test's Transcript by runner/exec/ (the session
// layer knows no protocol grammar).
// Standards: RFC 5321 (smtp), RFC 1939 (pop3), RFC 3501 (imap), RFC 2033 (lmtp).

import type { LineClassifiers } from "../session/transcript.ts";
import { ImapLineClassifier } from "./imap/line-classifier.ts";
import { Pop3LineClassifier } from "./pop3/line-classifier.ts";
import { SmtpLineClassifier } from "./smtp/line-classifier.ts";

export const LINE_CLASSIFIERS: LineClassifiers = {
  smtp: () => new SmtpLineClassifier(),
  pop3: () => new Pop3LineClassifier(),
  imap: () => new ImapLineClassifier(),
  // LMTP replies are SMTP replies (RFC 2033 §4).
  lmtp: () => new SmtpLineClassifier(),
};
