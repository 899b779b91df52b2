// The "base subject" SORT SUBJECT and both THREAD algorithms compare: the
// subject with its reply and forward markers, list tags ("[list]") and
// "(fwd)" trailers removed, by the RFC's exact procedure, and whether any
// such marker was removed (REFERENCES treats that message as a reply).
// Standards: RFC 5256 §2.1 (steps 1-7), §5 (subj-* ABNF), BASE.6.4.THREAD (reply or forward).

export interface BaseSubject {
  /** The base subject, white space normalised, case kept (the collation folds case). */
  text: string;
  /** A subj-refwd, a "(fwd)" subj-trailer or a subj-fwd-hdr/subj-fwd-trl pair was removed. */
  replyOrForward: boolean;
}

// ABNF string literals are case-insensitive (RFC 5234 §2.3).
/** subj-trailer = "(fwd)" / WSP */
const TRAILER = /(?:\(fwd\)| )$/i;
/** subj-blob = "[" *BLOBCHAR "]" *WSP */
const BLOB = "\\[[^\\[\\]]*\\] *";
/** subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":" */
const REFWD = `(?:re|fwd?) *(?:${BLOB})?:`;
/** subj-leader = (*subj-blob subj-refwd) / WSP */
const LEADER = new RegExp(`^(?:(?:${BLOB})*${REFWD}| )`, "i");
const LEADING_BLOB = new RegExp(`^${BLOB}`);
/** subj-fwd-hdr = "[fwd:", subj-fwd-trl = "]" */
const FWD_HDR = /^\[fwd:/i;

/** `subject`: the Subject field unfolded, its encoded-words already decoded to Unicode (step 1's first part). */
export function baseSubject(subject: string): BaseSubject {
  // (1) Tabs and continuations become spaces; runs of spaces one space.
  let text = subject.replace(/\r?\n/g, "").replace(/[\t ]+/g, " ");
  let replyOrForward = false;
  for (;;) {
    // (2) Remove trailers until none is left.
    for (let m = TRAILER.exec(text); m !== null; m = TRAILER.exec(text)) {
      if (m[0] !== " ") replyOrForward = true;
      text = text.slice(0, -m[0].length);
    }
    // (3)-(5) Leaders, then one leading blob if something is left after it, until neither applies.
    for (let changed = true; changed; ) {
      changed = false;
      for (let m = LEADER.exec(text); m !== null && m[0].length > 0; m = LEADER.exec(text)) {
        if (m[0] !== " ") replyOrForward = true;
        text = text.slice(m[0].length);
        changed = true;
      }
      const blob = LEADING_BLOB.exec(text);
      if (blob !== null && blob[0].length < text.length) {
        text = text.slice(blob[0].length);
        changed = true;
      }
    }
    // (6) "[fwd: ... ]" around everything: unwrap and start again from (2).
    if (FWD_HDR.test(text) && text.endsWith("]")) {
      text = text.slice(5, -1);
      replyOrForward = true;
      continue;
    }
    return { text, replyOrForward };
  }
}
