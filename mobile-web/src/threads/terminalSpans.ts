// One line of ansi_up's HTML read back into pieces of text with their look, for a component
// that renders them as text nodes: no markup from a command's output ever reaches the DOM as
// HTML. ansi_up writes 256-colour and true colours, and bold, faint, italic and underline, as
// style attributes, which a CSP without 'unsafe-inline' styles (the editor's panel) refuses and
// reports; here they become classes, and colours are set through the CSSOM, which CSP allows.

/** A piece of a terminal line. */
export interface TermSpan {
  text: string;
  /** ansi_up's colour classes (`ansi-red-fg`) and `ansi-bold`, `ansi-faint`, `ansi-italic`, `ansi-underline`. */
  cls: string;
  /** `rgb(r,g,b)` of a colour that has no class, or null. */
  fg: string | null;
  bg: string | null;
}

// What ansi_up writes with escape_html on and no link allowed: escaped text, and spans of it
// with a style and a class attribute, in that order, each optional.
const PIECE = /<span(?: style="([^"<>]*)")?(?: class="([a-z0-9 -]*)")?>([^<]*)<\/span>|([^<]+)|</g;
const RGB = /^rgb\(\d{1,3},\d{1,3},\d{1,3}\)$/;
const STYLE_CLASSES: Record<string, string> = {
  "font-weight:bold": "ansi-bold",
  "opacity:0.7": "ansi-faint",
  "font-style:italic": "ansi-italic",
  "text-decoration:underline": "ansi-underline",
};
const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'" };

const unescape = (html: string): string => html.replace(/&(?:amp|lt|gt|quot|#x27);/g, (e) => ENTITIES[e]!);

/** The pieces of one line of ansi_up's HTML. Anything else it might hold is kept as text. */
export function spansOf(html: string): TermSpan[] {
  const spans: TermSpan[] = [];
  for (const m of html.matchAll(PIECE)) {
    const [whole, style, classes, inner, plain] = m;
    if (inner === undefined) {
      spans.push({ text: plain === undefined ? whole : unescape(plain), cls: "", fg: null, bg: null });
      continue;
    }
    const span: TermSpan = { text: unescape(inner), cls: classes ?? "", fg: null, bg: null };
    for (const declaration of style?.split(";") ?? []) {
      const [name, value = ""] = declaration.split(":", 2);
      if (name === "color" && RGB.test(value)) span.fg = value;
      else if (name === "background-color" && RGB.test(value)) span.bg = value;
      else if (STYLE_CLASSES[declaration]) span.cls = `${STYLE_CLASSES[declaration]} ${span.cls}`.trim();
    }
    if (span.text !== "") spans.push(span);
  }
  return spans;
}
