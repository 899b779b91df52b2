// Mail a test handed over with 250 may reach the mailbox later (RFC 5321
// §4.2.5: the reply means "accepted", not "delivered"; Postfix queues it and
// delivers a moment after): a sweep right after the last test could miss it.
// So, when the run sent mail, the sweep first sends one marker message of its
// own to every user — it carries the token, so the sweep removes it too — and
// waits (bounded) until each user has it. Mail the tests handed over earlier
// is through by then: a queue delivers what it took first no later, near
// enough (the full-run interop test in test/interop/cleanup.test.ts checks it
// against Postfix). A server that delivers before its 250 (the bundled one)
// costs one look.
// Standards: RFC 5321 §3.3 (MAIL, RCPT, DATA), §4.2.5, §4.5.2 (dot-stuffing); RFC 3207 (STARTTLS).

import { LineClient, type LineEndpoint } from "../session/line-client.ts";
import { smtpCommand, readSmtpReply } from "../session/line-replies.ts";
import { closeOnAbort, SweepError } from "./sweep-result.ts";

/** The marker's own header field: `X-Mailconform-Sweep-Marker: <token>`. */
export const MARKER_FIELD = "X-Mailconform-Sweep-Marker";

export interface MarkerDelivery {
  endpoint: LineEndpoint;
  starttls: boolean;
  /** Reverse-path: the main user's address, as the tests send from it. */
  from: string;
  /** Every user's address: each gets one copy. */
  to: string[];
  token: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Hands the marker to the server; resolves with the addresses it accepted a copy for. */
export async function sendMarker(o: MarkerDelivery): Promise<string[]> {
  const smtp = await LineClient.connect(o.endpoint, { timeoutMs: o.timeoutMs });
  const unhook = closeOnAbort(o.signal, smtp);
  try {
    await expect(await readSmtpReply(smtp), 2, "greeting");
    await expect(await smtpCommand(smtp, "EHLO mailconform-cleanup.example"), 2, "EHLO");
    if (o.starttls) {
      await expect(await smtpCommand(smtp, "STARTTLS"), 2, "STARTTLS");
      await smtp.startTls();
      await expect(await smtpCommand(smtp, "EHLO mailconform-cleanup.example"), 2, "EHLO");
    }
    await expect(await smtpCommand(smtp, `MAIL FROM:<${o.from}>`), 2, "MAIL");
    const accepted: string[] = [];
    for (const to of o.to) if ((await smtpCommand(smtp, `RCPT TO:<${to}>`)).code < 300) accepted.push(to);
    if (accepted.length === 0) throw new SweepError("RCPT: no user's address was accepted");
    await expect(await smtpCommand(smtp, "DATA"), 3, "DATA");
    // No line starts with a dot: nothing to stuff.
    const message = [
      `Subject: mailconform cleanup marker ${o.token}`,
      `Message-ID: <${o.token}.cleanup-marker@mailconform.example>`,
      `${MARKER_FIELD}: ${o.token}`,
      "",
      "The end of a mailconform run's mail: its cleanup removes this message with the rest.",
      ".",
      "",
    ].join("\r\n");
    void smtp.send(message);
    await expect(await readSmtpReply(smtp), 2, "the end of the data");
    await smtpCommand(smtp, "QUIT").catch(() => undefined);
    return accepted;
  } finally {
    unhook();
    smtp.close();
  }
}

async function expect(reply: { code: number; text: string }, first: number, what: string): Promise<void> {
  if (Math.floor(reply.code / 100) !== first) throw new SweepError(`${what}: ${reply.code} ${reply.text.slice(0, 200)}`);
}

/**
 * Polls `arrived` every `everyMs` until it says yes, `withinMs` pass, or
 * `signal` aborts; resolves with whether it arrived. A failing look counts as
 * not yet (the server may be busy delivering); the last error is kept for the message.
 */
export async function waitFor(arrived: () => Promise<boolean>, withinMs: number, everyMs: number, signal?: AbortSignal): Promise<{ arrived: boolean; lastError?: string }> {
  const end = Date.now() + withinMs;
  let lastError: string | undefined;
  for (;;) {
    if (signal?.aborted) return { arrived: false, ...(lastError ? { lastError } : {}) };
    try {
      if (await arrived()) return { arrived: true };
    } catch (e) {
      lastError = (e as Error).message;
    }
    const left = end - Date.now();
    if (left <= 0) return { arrived: false, ...(lastError ? { lastError } : {}) };
    await pause(Math.min(everyMs, left), signal);
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
