// Scanning the computer's pairing QR code with the phone's camera. The loop that turns decoded
// codes into a pairing link is plain and tested; the camera and decoders are the browser's:
// BarcodeDetector where there is one, else jsQR, loaded only when a scan starts.

import { readPastedLink, type PastedLink } from "./pastedLink";

/** A code that holds a pairing link, for this relay or another. */
export type ScannedLink = Exclude<PastedLink, { kind: "invalid" }>;

export type CameraProblem = "insecure" | "unsupported" | "denied" | "no-camera" | "busy" | "failed";

/** Why the camera could not start, when the browser said so before asking. */
export class CameraError extends Error {
  constructor(readonly problem: CameraProblem) {
    super(`camera: ${problem}`);
    this.name = "CameraError";
  }
}

/** Sorts what getUserMedia rejected with into what the person can do about it. */
export function cameraProblemOf(error: unknown): CameraProblem {
  if (error instanceof CameraError) return error.problem;
  const name = (error as { name?: unknown } | null)?.name;
  switch (name) {
    case "NotAllowedError":
    case "PermissionDeniedError":
      return "denied";
    case "SecurityError":
      return "insecure";
    case "NotFoundError":
    case "DevicesNotFoundError":
    case "OverconstrainedError":
      return "no-camera";
    case "NotReadableError":
    case "TrackStartError":
    case "AbortError":
      return "busy";
    default:
      return "failed";
  }
}

export function cameraProblemMessage(problem: CameraProblem): string {
  switch (problem) {
    case "insecure":
      return "The camera only works on a secure (https) page. Paste the link instead.";
    case "unsupported":
      return "This browser can't use the camera here. Paste the link instead.";
    case "denied":
      return "Camera access was not allowed. Allow it for this site in the browser's settings, or paste the link instead.";
    case "no-camera":
      return "No camera was found on this device. Paste the link instead.";
    case "busy":
      return "The camera is in use by another app. Close it and try again, or paste the link instead.";
    case "failed":
      return "The camera could not be started. Try again, or paste the link instead.";
  }
}

/** What a decoded code means here: a pairing link, or something else (another QR code). */
export function readScannedCode(text: string, origin: string): ScannedLink | null {
  const link = readPastedLink(text, origin);
  return link.kind === "invalid" ? null : link;
}

export interface ScanLoopOptions {
  /** One frame's decoded text, or null when no code is in view. */
  decode: () => Promise<string | null>;
  /** This page's origin: a link for another relay is told apart. */
  origin: string;
  signal: AbortSignal;
  /** Told once for each code in view that is not a pairing link. */
  onOther?: (text: string) => void;
  intervalMs?: number;
  wait?: (ms: number) => Promise<void>;
}

/**
 * Decodes frames until one holds a pairing link, and resolves with its text (handed on as if it
 * were pasted). Resolves null when stopped. A frame that fails to decode is skipped.
 */
export async function scanForPairingLink(options: ScanLoopOptions): Promise<string | null> {
  const { decode, origin, signal, onOther } = options;
  const interval = options.intervalMs ?? 150;
  const wait = options.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let lastOther: string | null = null;
  while (!signal.aborted) {
    let text: string | null = null;
    try {
      text = await decode();
    } catch {
      // The video is not ready yet, or the frame was torn: the next one will do.
    }
    if (signal.aborted) return null;
    if (text !== null) {
      if (readScannedCode(text, origin)) return text;
      if (text !== lastOther) onOther?.(text);
      lastOther = text;
    }
    await wait(interval);
  }
  return null;
}

// BarcodeDetector is not in TypeScript's DOM library yet.
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

/** The browser's own QR decoder, or null when it has none that reads QR codes. */
async function nativeDecoder(video: HTMLVideoElement): Promise<(() => Promise<string | null>) | null> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  try {
    if (!(await Detector.getSupportedFormats()).includes("qr_code")) return null;
    const detector = new Detector({ formats: ["qr_code"] });
    return async () => {
      if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return null;
      const [code] = await detector.detect(video);
      return code?.rawValue ?? null;
    };
  } catch {
    return null;
  }
}

/** jsQR on frames drawn into a small canvas; the library loads here, not with the app. */
async function jsqrDecoder(video: HTMLVideoElement): Promise<() => Promise<string | null>> {
  const { default: jsQR } = await import("jsqr");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) throw new CameraError("unsupported");
  // A QR code on a laptop screen decodes well at this size, and a phone keeps up.
  const maxSide = 720;
  return async () => {
    const { videoWidth, videoHeight } = video;
    if (!videoWidth || !videoHeight || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return null;
    const scale = Math.min(1, maxSide / Math.max(videoWidth, videoHeight));
    canvas.width = Math.round(videoWidth * scale);
    canvas.height = Math.round(videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const frame = context.getImageData(0, 0, canvas.width, canvas.height);
    return jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" })?.data ?? null;
  };
}

/**
 * One camera session: opens the rear camera into `video`, decodes until a pairing link shows, and
 * stops the camera when done, on `stop()`, or on failure. Use once.
 */
export class QrScan {
  readonly #controller = new AbortController();
  #stream: MediaStream | null = null;
  #video: HTMLVideoElement | null = null;

  /** Resolves with the decoded pairing link's text, or null when stopped; rejects when the camera fails. */
  async run(video: HTMLVideoElement, onOther?: (text: string) => void): Promise<string | null> {
    const signal = this.#controller.signal;
    try {
      if (!globalThis.isSecureContext) throw new CameraError("insecure");
      if (typeof navigator.mediaDevices?.getUserMedia !== "function") throw new CameraError("unsupported");
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      this.#stream = stream;
      if (signal.aborted) return null;
      this.#video = video;
      video.srcObject = stream;
      await video.play();
      const decode = (await nativeDecoder(video)) ?? (await jsqrDecoder(video));
      if (signal.aborted) return null;
      return await scanForPairingLink({ decode, origin: location.origin, signal, ...(onOther ? { onOther } : {}) });
    } catch (error) {
      // Stopping mid-start (a play() cut short) is not a failure.
      if (signal.aborted) return null;
      throw error;
    } finally {
      this.stop();
    }
  }

  /** Turns the camera off. Safe to call any time, more than once. */
  stop(): void {
    this.#controller.abort();
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = null;
    if (this.#video) {
      this.#video.pause();
      this.#video.srcObject = null;
      this.#video = null;
    }
  }
}
