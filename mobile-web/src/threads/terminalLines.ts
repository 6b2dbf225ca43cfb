// A terminal's output as lines of styled text, kept up to date by appending: each live chunk costs
// the work of its own characters, never of everything kept, so a command printing megabytes a
// second leaves the tab free. Lines are converted once, in order, by one ansi_up whose colour
// state carries from line to line, and only the newest TERMINAL_MAX_LINES are kept.

import { AnsiUp } from "ansi_up";
import { TERMINAL_MAX_CHARS, TERMINAL_MAX_LINES, capTail, settleCarriageReturns } from "./ansi";
import { lastChars } from "#protocol/live";
import { OSC, afterCutSequence, printedLength } from "./escapes";
import { spansOf, type TermSpan } from "./terminalSpans";

const count = new Intl.NumberFormat("en-US");

export class TerminalLines {
  /** The kept lines, from `start`; the last one may still be growing. */
  #lines: TermSpan[][] = [];
  #start = 0;
  /** The raw text of the last, unfinished line (no newline yet). */
  #partial = "";
  #ansi = this.#newAnsi();
  /** Characters of output seen, to tell what a new value of the output adds. */
  #received = 0;
  #source = "";
  /** Whether the last kept line is the unfinished one, to be replaced by the next append. */
  #partialShown = false;
  #droppedLines = 0;
  #widest = 0;
  /** Bumped on every change, for the view to redraw. */
  version = 0;

  constructor(
    readonly maxLines = TERMINAL_MAX_LINES,
    readonly maxChars = TERMINAL_MAX_CHARS,
  ) {}

  get length(): number {
    return this.#lines.length - this.#start;
  }

  line(i: number): TermSpan[] {
    return this.#lines[this.#start + i] ?? [];
  }

  /** Lines left out at the top since the output began (or since it was last rebuilt). */
  get droppedLines(): number {
    return this.#droppedLines;
  }

  /** Characters in the longest kept line, escape sequences not counted. */
  get widest(): number {
    return this.#widest;
  }

  get note(): string | null {
    const n = this.#droppedLines;
    return n > 0 ? `… ${count.format(n)} earlier ${n === 1 ? "line" : "lines"}` : null;
  }

  /**
   * Takes the output's current value. `received` counts every character the output ever had
   * (the output itself may be only its newest part): when given, what it adds since the last
   * call is appended; otherwise the output is appended to when it extends the last value, and
   * converted anew when it does not. `chunks`: the output as the chunks it came in (newest last),
   * to read what is new from.
   */
  update(output: string, received?: number, chunks?: readonly string[]): void {
    let added: string | null = null;
    if (received !== undefined && this.#received > 0 && received >= this.#received) {
      const fresh = received - this.#received;
      // From the newest chunks when there are: slicing the output itself would copy all of it.
      if (fresh <= output.length) added = chunks ? lastChars(chunks, fresh) : output.slice(output.length - fresh);
    } else if (received === undefined && this.#source !== "" && output.startsWith(this.#source)) {
      added = output.slice(this.#source.length);
    } else if (output === this.#source) {
      added = "";
    }
    this.#source = output;
    this.#received = received ?? output.length;
    if (added === null) this.#reset(output);
    else if (added !== "") this.#append(added);
    else return;
    this.version++;
  }

  #reset(output: string): void {
    this.#lines = [];
    this.#start = 0;
    this.#partial = "";
    this.#partialShown = false;
    this.#widest = 0;
    this.#ansi = this.#newAnsi();
    const capped = capTail(output, this.maxLines, this.maxChars);
    this.#droppedLines = capped.droppedLines;
    // A cut may land inside an escape sequence: drop its tail rather than print "[31m".
    this.#append(capped.droppedChars > 0 ? output.slice(afterCutSequence(output, capped.droppedChars)) : capped.text);
  }

  #append(text: string): void {
    // The unfinished last line is drawn again with what follows it.
    if (this.#partialShown) this.#lines.pop();
    const lines = (this.#partial + text).split("\n");
    this.#partial = lines.pop()!;
    for (const line of lines) this.#lines.push(this.#convert(line, this.#ansi));
    // The unfinished line is converted by a copy of the colour state, so that converting it
    // again once it is complete starts from the same state.
    this.#partialShown = this.#partial !== "";
    if (this.#partialShown) this.#lines.push(this.#convert(this.#partial, this.#copyAnsi()));
    this.#trim();
  }

  #trim(): void {
    const over = this.length - this.maxLines;
    if (over > 0) {
      this.#start += over;
      this.#droppedLines += over;
    }
    // Copy down now and then, not on every line, so trimming stays cheap.
    if (this.#start > this.maxLines) {
      this.#lines = this.#lines.slice(this.#start);
      this.#start = 0;
    }
  }

  #convert(raw: string, ansi: AnsiUp): TermSpan[] {
    // Hyperlinks (OSC 8) keep their text and lose the link; other OSC sequences (titles) go.
    const line = settleCarriageReturns(raw.includes("\x1b]") ? raw.replace(OSC, "") : raw);
    const width = printedLength(line);
    if (width > this.#widest) this.#widest = width;
    return spansOf(ansi.ansi_to_html(line));
  }

  #newAnsi(): AnsiUp {
    const ansi = new AnsiUp();
    ansi.use_classes = true;
    ansi.escape_html = true;
    ansi.url_allowlist = {};
    return ansi;
  }

  #copyAnsi(): AnsiUp {
    // ansi_up keeps its colour state in plain fields; a shallow copy converts a line without
    // moving the original's state.
    return Object.assign(Object.create(Object.getPrototypeOf(this.#ansi) as object) as AnsiUp, this.#ansi);
  }
}
