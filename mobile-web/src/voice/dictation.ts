// Dictation with the browser's own speech recognition (the Web Speech API). Tether never
// receives audio: the browser turns speech into text and the text lands in the field, to be
// read and edited before it is sent. Where the browser has no recognizer, nothing is offered
// and the keyboard's own dictation works as before.

/** The part of the Web Speech API's `SpeechRecognition` that dictation uses. */
export interface Recognizer {
  lang: string;
  continuous: boolean;
  interimResults: boolean;
  /** Chromium 139+: recognise on the device, never sending audio anywhere. */
  processLocally?: boolean;
  onresult: ((event: RecognitionResultEvent) => void) | null;
  onerror: ((event: { error: string; message?: string }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  stop(): void;
  abort(): void;
}

export interface RecognitionResultEvent {
  resultIndex: number;
  results: ArrayLike<{ isFinal: boolean; 0: { transcript: string } }>;
}

export interface RecognizerClass {
  new (): Recognizer;
  /** Chromium 139+: whether a language can be recognised, and whether on the device. */
  available?: (options: { langs: string[]; processLocally: boolean }) => Promise<string>;
}

/** The browser's recognizer, standard or prefixed, or none. */
export function recognizerClass(scope: object = globalThis): RecognizerClass | undefined {
  const found = scope as { SpeechRecognition?: RecognizerClass; webkitSpeechRecognition?: RecognizerClass };
  return found.SpeechRecognition ?? found.webkitSpeechRecognition;
}

/** Where the audio is turned into text, said plainly before the person speaks. */
export type Processing = { local: true } | { local: false; by: string };

/** Whose service a browser sends dictated audio to, from what it says of itself. */
export function speechService(nav: { vendor?: string; userAgent?: string }): string {
  const ua = nav.userAgent ?? "";
  if (/Firefox\//.test(ua)) return "Mozilla's speech service";
  if ((nav.vendor ?? "").startsWith("Apple")) return "Apple's speech service";
  if ((nav.vendor ?? "").startsWith("Google")) return "Google's speech service";
  return "your browser's speech service";
}

/** On the device when the browser says it can recognise `lang` there, else the browser's service. */
export async function processing(
  Recognition: RecognizerClass,
  lang: string,
  nav: { vendor?: string; userAgent?: string },
): Promise<Processing> {
  try {
    if ((await Recognition.available?.({ langs: [lang], processLocally: true })) === "available") return { local: true };
  } catch {
    // An older browser's `available` that does not know these options: it is a service.
  }
  return { local: false, by: speechService(nav) };
}

/** What a person reads when dictation stops on an error, with what to do next. */
export function dictationError(code: string): string | null {
  switch (code) {
    case "aborted":
      return null;
    case "no-speech":
      return "No speech was heard. Tap the microphone and speak, or type.";
    case "not-allowed":
    case "service-not-allowed":
      return "This browser may not use the microphone here. Allow it in the site's settings, or use the keyboard's dictation.";
    case "audio-capture":
      return "No microphone could be used. Check that one is connected and not in use.";
    case "network":
      return "The speech service could not be reached. The keyboard's own dictation may still work.";
    case "language-not-supported":
      return "Dictation does not support this phone's language. Use the keyboard's dictation.";
    default:
      return `Dictation stopped (${code}).`;
  }
}

/** Joins dictated text onto what is typed, with one space between words. */
export function appendDictated(text: string, spoken: string): string {
  const words = spoken.trim();
  if (words === "") return text;
  if (text === "" || /\s$/.test(text)) return text + words;
  return `${text} ${words}`;
}

export interface DictationHandlers {
  /** A finished phrase, to join onto the field. */
  onfinal(text: string): void;
  /** What is being heard now, replaced as it firms up; "" once it is final. */
  oninterim(text: string): void;
  /** Listening ended: by the person, by silence, or by an error (its words, or null). */
  onend(error: string | null): void;
}

/** One listening session: started by a tap, ended by a tap, by silence or by an error. */
export class Dictation {
  private readonly recognizer: Recognizer;
  private error: string | null = null;

  constructor(Recognition: RecognizerClass, lang: string, local: boolean, handlers: DictationHandlers) {
    const recognizer = new Recognition();
    recognizer.lang = lang;
    recognizer.continuous = true;
    recognizer.interimResults = true;
    if (local) recognizer.processLocally = true;
    recognizer.onresult = (event) => {
      let interim = "";
      for (let i = event.resultIndex; i < event.results.length; i++) {
        const result = event.results[i]!;
        if (result.isFinal) handlers.onfinal(result[0].transcript);
        else interim += result[0].transcript;
      }
      handlers.oninterim(interim);
    };
    recognizer.onerror = (event) => {
      this.error = dictationError(event.error);
    };
    recognizer.onend = () => {
      handlers.oninterim("");
      handlers.onend(this.error);
    };
    this.recognizer = recognizer;
  }

  /** Throws when the browser refuses to start (already listening elsewhere): the caller says so. */
  start(): void {
    this.recognizer.start();
  }

  /** Stops listening; what was heard so far still arrives as final text. */
  stop(): void {
    this.recognizer.stop();
  }

  /** Stops at once and drops what was not final (the field is going away). */
  abort(): void {
    this.recognizer.onresult = null;
    this.recognizer.abort();
  }
}
