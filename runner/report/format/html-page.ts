// The shell every HTML page we write shares (the run report, the grading
// pages): HTML escaping, one inline style sheet and the page frame. Pages are
// self-contained (no external CSS, script, font or image), so they can be
// mailed or opened from a USB stick, and open no connection to any host.
// Standards: HTML Living Standard (text and attribute escaping).

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

/** Score as the pages show it: one decimal and a percent sign, or an en dash when nothing was scoreable. */
export function pct(percent: number | undefined): string {
  return percent === undefined ? "–" : `${percent.toFixed(1)}%`;
}

const STYLE = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --bg2: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .3rem; }
.meta { color: var(--muted); margin-bottom: 1rem; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: .4rem .6rem; text-align: left; vertical-align: top; }
th { background: var(--bg2); font-weight: 600; white-space: nowrap; }
th.sortable { cursor: pointer; user-select: none; }
th.sortable::after { content: " ↕"; color: var(--muted); font-weight: 400; }
th[aria-sort="ascending"]::after { content: " ▲"; color: var(--fg); }
th[aria-sort="descending"]::after { content: " ▼"; color: var(--fg); }
td.num, th.num { text-align: right; }
.ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; } .warn { color: var(--warn); font-weight: 600; }
.pill { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: .8rem; border: 1px solid currentColor; }
pre { background: var(--bg2); padding: .6rem .8rem; overflow-x: auto; font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; border-radius: 6px; }
.failure { border: 1px solid var(--line); border-left: 4px solid var(--bad); border-radius: 6px; padding: .6rem .9rem; margin: .8rem 0; }
.failure.error { border-left-color: var(--warn); }
.failure h3 { margin: 0 0 .3rem; font-size: 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem; margin: .4rem 0; } dt { color: var(--muted); } dd { margin: 0; }
a { color: #0969da; }
`;

/** `style` adds rules of one page's own after the shared sheet. */
export function page(title: string, body: string, script = "", style = ""): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}${style}</style>`,
    "</head>",
    "<body>",
    body,
    script ? `<script>${script}</script>` : "",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** "RFC 5321 §4.1.1.2" → a link to that section on rfc-editor.org; other refs stay text. */
export function rfcRef(ref: string): string {
  const m = /RFC\s*(\d+)(?:\s*§\s*([\dA-Za-z.]*[\dA-Za-z]))?/i.exec(ref);
  if (!m) return esc(ref);
  const anchor = m[2] ? `#${/^[A-Za-z]/.test(m[2]) ? "appendix" : "section"}-${m[2]}` : "";
  return `<a href="https://www.rfc-editor.org/rfc/rfc${m[1]}${anchor}">${esc(ref)}</a>`;
}
