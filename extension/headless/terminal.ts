// The headless host's terminal: the pairing QR code, the pairing prompt, typed commands
// (`phones`, `revoke …`), and status lines.

import { createInterface, type Interface } from "node:readline";
import QRCode from "qrcode";
import type { PairingOffer, PairingPrompt } from "../core/pairing/pairingService";

export interface Terminal {
  /** True when a person can answer prompts (stdin is a terminal). */
  readonly interactive: boolean;
  /** The QR code and link, then `note` (why a phone may not open it, and what to do). */
  showPairing(offer: PairingOffer, note?: string[]): Promise<void>;
  /** Asks "Pair …? [y/N]"; false when nobody can answer (no terminal). */
  confirm(prompt: PairingPrompt): Promise<boolean>;
  /** Calls `fn` whenever the person presses Enter on an empty line with nothing else pending. */
  onEnter(fn: () => void): void;
  /** Calls `fn` with each non-empty line the person types, trimmed. */
  onCommand(fn: (line: string) => void): void;
  /** Asks a yes/no question; false when nobody can answer. */
  ask(question: string): Promise<boolean>;
  say(line: string): void;
  close(): void;
}

// Made when the host starts: the first time format loads the locale data (tens of milliseconds),
// which would otherwise hold up the phone that pairs as the pairing code's expiry is printed.
const timeFormat = new Intl.DateTimeFormat([], { hour: "2-digit", minute: "2-digit" });
const clock = (ms: number): string => timeFormat.format(ms);

export function createTerminal(input: NodeJS.ReadStream, output: NodeJS.WriteStream): Terminal {
  const interactive = input.isTTY === true;
  let rl: Interface | undefined;
  let asking = false;
  const enterHandlers: (() => void)[] = [];
  const commandHandlers: ((line: string) => void)[] = [];
  if (interactive) {
    rl = createInterface({ input, output, terminal: true });
    rl.on("line", (line) => {
      if (asking) return;
      const text = line.trim();
      if (text === "") for (const fn of enterHandlers) fn();
      else for (const fn of commandHandlers) fn(text);
    });
    rl.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
  }
  const say = (line: string): void => void output.write(line + "\n");
  const ask = (question: string): Promise<boolean> => {
    asking = true;
    return new Promise((resolve) => {
      rl!.question(question, (answer) => {
        asking = false;
        resolve(/^y(es)?$/i.test(answer.trim()));
      });
    });
  };
  return {
    interactive,
    say,
    async showPairing(offer, note) {
      const qr = await QRCode.toString(offer.url, { type: "terminal", small: true, errorCorrectionLevel: "L" });
      say("");
      say("Scan this code with your phone's camera to pair it:");
      say(qr.trimEnd());
      say(`  ${offer.url}`);
      say(`Valid until ${clock(offer.expiresAt)}, for one phone.${interactive ? " Press Enter for a new code." : ""}`);
      if (note?.length) {
        say("");
        for (const line of note) say(line);
      }
      say("");
    },
    confirm(prompt) {
      if (!rl) {
        say(`Pairing request from "${prompt.phoneName}" (code ${prompt.code}) refused: no terminal to confirm it.`);
        say("Run in a terminal, or pass --accept-pairing to accept requests without asking.");
        return Promise.resolve(false);
      }
      return ask(`Pair "${prompt.phoneName}"? Check that it shows code ${prompt.code} [y/N] `);
    },
    ask: (question) => (rl ? ask(`${question} [y/N] `) : Promise.resolve(false)),
    onEnter(fn) {
      enterHandlers.push(fn);
    },
    onCommand(fn) {
      commandHandlers.push(fn);
    },
    close() {
      rl?.close();
    },
  };
}
