// Server bytes reach the terminal and report files only as visible text: a
// hostile server's ESC sequences could otherwise recolour, move the cursor or
// retitle the user's terminal. C0 and C1 controls and DEL become \xNN.
// The engine already escapes transcripts (wire/printable.ts, from bytes); this
// guards every string a report prints again, keeping tabs and line breaks.
// Standards: ECMA-48 (C0 and C1 control functions).

export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
