// The name a phone offers when it pairs ("Chrome on Android"), guessed from the browser's
// own description of itself. The person can change it in Settings.

export interface BrowserHints {
  userAgent: string;
  /** `navigator.userAgentData.brands`, where the browser has it (Chromium-based ones). */
  brands?: readonly string[];
  /** `navigator.maxTouchPoints`: tells an iPad from a Mac, which send the same user agent. */
  maxTouchPoints?: number;
}

function operatingSystem(ua: string, maxTouchPoints: number): string | null {
  if (/\biPhone\b|\biPod\b/.test(ua)) return "iPhone";
  if (/\biPad\b/.test(ua)) return "iPad";
  if (/\bAndroid\b/.test(ua)) return "Android";
  if (/\bCrOS\b/.test(ua)) return "ChromeOS";
  if (/\bWindows\b/.test(ua)) return "Windows";
  if (/\bMacintosh\b|\bMac OS X\b/.test(ua)) return maxTouchPoints > 1 ? "iPad" : "macOS";
  if (/\bLinux\b|\bX11\b/.test(ua)) return "Linux";
  return null;
}

function browserFromBrands(brands: readonly string[]): string | null {
  const named: [string, string][] = [
    ["Microsoft Edge", "Edge"],
    ["Opera", "Opera"],
    ["Brave", "Brave"],
    ["Samsung Internet", "Samsung Internet"],
    ["Google Chrome", "Chrome"],
  ];
  for (const [brand, label] of named) if (brands.includes(brand)) return label;
  if (brands.includes("Chromium") || brands.includes("HeadlessChrome")) return "Chromium";
  return null;
}

function browserFromUserAgent(ua: string): string | null {
  const rules: [RegExp, string][] = [
    [/\bEdg(?:e|A|iOS)?\//, "Edge"],
    [/\bOPR\/|\bOPiOS\//, "Opera"],
    [/\bSamsungBrowser\//, "Samsung Internet"],
    [/\bFirefox\/|\bFxiOS\//, "Firefox"],
    [/\bHeadlessChrome\/|\bChromium\//, "Chromium"],
    [/\bChrome\/|\bCriOS\//, "Chrome"],
    [/\bSafari\//, "Safari"],
  ];
  for (const [pattern, label] of rules) if (pattern.test(ua)) return label;
  return null;
}

export function defaultDeviceName(hints: BrowserHints): string {
  const os = operatingSystem(hints.userAgent, hints.maxTouchPoints ?? 0);
  // Brands are more honest than the user agent, which every Chromium fork sends as "Chrome";
  // on iOS every browser is WebKit, where only the user agent names the app.
  const fromBrands = os === "iPhone" || os === "iPad" ? null : browserFromBrands(hints.brands ?? []);
  const browser = fromBrands ?? browserFromUserAgent(hints.userAgent) ?? "Browser";
  return os ? `${browser} on ${os}` : browser;
}

/** Trims a name the person typed; null when nothing usable is left. */
export function cleanDeviceName(text: string): string | null {
  // At most 80 UTF-16 units (the host's limit), cut between code points so an emoji is never
  // split; trimmed again after the cut.
  let name = "";
  for (const char of text.replace(/\s+/g, " ").trim()) {
    if (name.length + char.length > 80) break;
    name += char;
  }
  name = name.trim();
  return name.length > 0 ? name : null;
}
