import assert from "node:assert/strict";
import {
  Dictation,
  appendDictated,
  dictationError,
  processing,
  recognizerClass,
  speechService,
  type Recognizer,
  type RecognizerClass,
  type RecognitionResultEvent,
} from "../../../mobile-web/src/voice/dictation";

/** A recognizer driven by the test: what a browser's would report, in the order it reports it. */
class Scripted implements Recognizer {
  static last: Scripted | undefined;
  lang = "";
  continuous = false;
  interimResults = false;
  processLocally?: boolean;
  onresult: ((event: RecognitionResultEvent) => void) | null = null;
  onerror: ((event: { error: string }) => void) | null = null;
  onend: (() => void) | null = null;
  calls: string[] = [];
  constructor() {
    Scripted.last = this;
  }
  start(): void {
    this.calls.push("start");
  }
  stop(): void {
    this.calls.push("stop");
    this.onend?.();
  }
  abort(): void {
    this.calls.push("abort");
    this.onend?.();
  }
  say(resultIndex: number, results: [string, boolean][]): void {
    this.onresult?.({ resultIndex, results: results.map(([t, isFinal]) => ({ isFinal, 0: { transcript: t } })) });
  }
}

describe("dictation", () => {
  it("finds the standard recognizer, else the prefixed one, else none", () => {
    const a = class {} as unknown as RecognizerClass;
    const b = class {} as unknown as RecognizerClass;
    assert.equal(recognizerClass({ SpeechRecognition: a, webkitSpeechRecognition: b }), a);
    assert.equal(recognizerClass({ webkitSpeechRecognition: b }), b);
    assert.equal(recognizerClass({}), undefined);
  });

  it("names whose service hears the audio", () => {
    assert.equal(speechService({ vendor: "Google Inc.", userAgent: "Mozilla/5.0 Chrome/140" }), "Google's speech service");
    assert.equal(speechService({ vendor: "Apple Computer, Inc.", userAgent: "Mozilla/5.0 Safari" }), "Apple's speech service");
    assert.equal(speechService({ vendor: "", userAgent: "Mozilla/5.0 Firefox/140.0" }), "Mozilla's speech service");
    assert.equal(speechService({ vendor: "", userAgent: "Other" }), "your browser's speech service");
  });

  it("says on the device only when the browser says the language is available there", async () => {
    const nav = { vendor: "Google Inc." };
    const local = Object.assign(class {}, { available: () => Promise.resolve("available") }) as unknown as RecognizerClass;
    const downloadable = Object.assign(class {}, {
      available: () => Promise.resolve("downloadable"),
    }) as unknown as RecognizerClass;
    const throws = Object.assign(class {}, {
      available: () => Promise.reject(new TypeError("bad options")),
    }) as unknown as RecognizerClass;
    assert.deepEqual(await processing(local, "en-GB", nav), { local: true });
    assert.deepEqual(await processing(downloadable, "en-GB", nav), { local: false, by: "Google's speech service" });
    assert.deepEqual(await processing(throws, "en-GB", nav), { local: false, by: "Google's speech service" });
    assert.deepEqual(await processing(class {} as unknown as RecognizerClass, "en-GB", nav), {
      local: false,
      by: "Google's speech service",
    });
  });

  it("joins dictated words onto what is typed with one space", () => {
    assert.equal(appendDictated("", " add rate limiting "), "add rate limiting");
    assert.equal(appendDictated("Fix", "the test"), "Fix the test");
    assert.equal(appendDictated("Fix ", "the test"), "Fix the test");
    assert.equal(appendDictated("Fix", "   "), "Fix");
  });

  it("passes final phrases on once, interim ones as they change, and says why it stopped", () => {
    const finals: string[] = [];
    const interims: string[] = [];
    const ends: (string | null)[] = [];
    const session = new Dictation(Scripted as unknown as RecognizerClass, "en-GB", true, {
      onfinal: (t) => finals.push(t),
      oninterim: (t) => interims.push(t),
      onend: (e) => ends.push(e),
    });
    const rec = Scripted.last!;
    assert.equal(rec.lang, "en-GB");
    assert.equal(rec.continuous, true);
    assert.equal(rec.interimResults, true);
    assert.equal(rec.processLocally, true);
    session.start();
    rec.say(0, [["add rate", false]]);
    rec.say(0, [
      ["add rate limiting", true],
      [" to", false],
    ]);
    rec.say(1, [
      ["add rate limiting", true],
      [" to subscribe", true],
    ]);
    rec.onerror?.({ error: "no-speech" });
    rec.onend?.();
    assert.deepEqual(finals, ["add rate limiting", " to subscribe"]);
    assert.deepEqual(interims, ["add rate", " to", "", ""]);
    assert.deepEqual(ends, [dictationError("no-speech")]);
  });

  it("asks for no audio on the device unless the browser can keep it there", () => {
    new Dictation(Scripted as unknown as RecognizerClass, "en", false, { onfinal() {}, oninterim() {}, onend() {} });
    assert.equal(Scripted.last!.processLocally, undefined);
  });

  it("drops what was not final when aborted", () => {
    const finals: string[] = [];
    const session = new Dictation(Scripted as unknown as RecognizerClass, "en", false, {
      onfinal: (t) => finals.push(t),
      oninterim() {},
      onend() {},
    });
    session.start();
    session.abort();
    Scripted.last!.say(0, [["late words", true]]);
    assert.deepEqual(finals, []);
  });

  it("gives each browser error words and a way on, and says nothing of a deliberate stop", () => {
    assert.equal(dictationError("aborted"), null);
    for (const code of [
      "no-speech",
      "not-allowed",
      "service-not-allowed",
      "audio-capture",
      "network",
      "language-not-supported",
    ]) {
      const words = dictationError(code);
      assert.ok(words && !words.includes(code), code);
    }
    assert.equal(dictationError("bad-grammar"), "Dictation stopped (bad-grammar).");
  });
});
