// The little markdown an agent writes, read into blocks and spans that a component renders as
// text nodes: paragraphs with their line breaks, headings, **bold**, `inline code` and fenced
// code blocks. No HTML is ever produced, so nothing the model writes can inject any.

export type Span = { kind: "text" | "code" | "strong"; text: string };

export type Block =
  { kind: "paragraph"; spans: Span[] } | { kind: "heading"; spans: Span[] } | { kind: "code"; lang: string; text: string };

const HEADING = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/;

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w#+.-]*)[^\n]*$/;

/** Splits text into paragraphs and fenced code blocks. An unclosed fence (text still streaming) runs to the end. */
export function readMarkdown(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let paragraph: string[] = [];
  const flush = (): void => {
    // Leading and trailing blank lines of a paragraph carry nothing.
    while (paragraph.length > 0 && paragraph[0]!.trim() === "") paragraph.shift();
    while (paragraph.length > 0 && paragraph[paragraph.length - 1]!.trim() === "") paragraph.pop();
    if (paragraph.length > 0) blocks.push({ kind: "paragraph", spans: readInline(paragraph.join("\n")) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = FENCE.exec(line);
    if (!open) {
      const heading = HEADING.exec(line);
      if (heading) {
        flush();
        blocks.push({ kind: "heading", spans: readInline(heading[1]!) });
      } else if (line.trim() === "") flush();
      else paragraph.push(line);
      continue;
    }
    flush();
    const marker = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = lines[j]!.trim();
      if (close.startsWith(marker[0]!.repeat(marker.length)) && /^(`+|~+)$/.test(close)) break;
      body.push(lines[j]!);
    }
    blocks.push({ kind: "code", lang: open[2] ?? "", text: body.join("\n") });
    i = j;
  }
  flush();
  return blocks;
}

/** `code` spans first (nothing inside them is markup), then **bold** in the text between. */
export function readInline(text: string): Span[] {
  const spans: Span[] = [];
  const push = (kind: Span["kind"], value: string): void => {
    if (value === "") return;
    const last = spans[spans.length - 1];
    if (last && last.kind === kind && kind === "text") last.text += value;
    else spans.push({ kind, text: value });
  };
  const code = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;
  let at = 0;
  for (let m = code.exec(text); m; m = code.exec(text)) {
    readStrong(text.slice(at, m.index), push);
    // As in CommonMark, one space each side of the code is padding.
    const inner = m[2]!;
    push("code", /^ .* $/s.test(inner) && inner.trim() !== "" ? inner.slice(1, -1) : inner);
    at = m.index + m[0].length;
  }
  readStrong(text.slice(at), push);
  return spans;
}

function readStrong(text: string, push: (kind: Span["kind"], value: string) => void): void {
  const strong = /\*\*(?=\S)([\s\S]*?\S)\*\*/g;
  let at = 0;
  for (let m = strong.exec(text); m; m = strong.exec(text)) {
    push("text", text.slice(at, m.index));
    push("strong", m[1]!);
    at = m.index + m[0].length;
  }
  push("text", text.slice(at));
}
