import assert from "node:assert/strict";
import { cleanDeviceName, defaultDeviceName } from "../../../mobile-web/src/device/deviceName";

const ua = {
  androidChrome:
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  androidFirefox: "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0",
  androidSamsung:
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
  iphoneSafari:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  iphoneChrome:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1",
  iphoneFirefox:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/128.0 Mobile/15E148 Safari/605.1.15",
  macSafari:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  windowsChrome:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  windowsEdge:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  linuxChrome: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  chromebook: "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
};

describe("default device name", () => {
  it("names Chrome on Android so, with or without brand hints", () => {
    assert.equal(defaultDeviceName({ userAgent: ua.androidChrome }), "Chrome on Android");
    assert.equal(
      defaultDeviceName({ userAgent: ua.androidChrome, brands: ["Google Chrome", "Chromium", "Not_A Brand"] }),
      "Chrome on Android",
    );
    assert.equal(defaultDeviceName({ userAgent: ua.androidFirefox }), "Firefox on Android");
    assert.equal(defaultDeviceName({ userAgent: ua.androidSamsung }), "Samsung Internet on Android");
  });

  it("names the app on an iPhone from its user agent, since every iOS browser is Safari underneath", () => {
    assert.equal(defaultDeviceName({ userAgent: ua.iphoneSafari, maxTouchPoints: 5 }), "Safari on iPhone");
    assert.equal(defaultDeviceName({ userAgent: ua.iphoneChrome, maxTouchPoints: 5 }), "Chrome on iPhone");
    assert.equal(defaultDeviceName({ userAgent: ua.iphoneFirefox, maxTouchPoints: 5 }), "Firefox on iPhone");
  });

  it("tells an iPad from a Mac, which send the same user agent, by touch", () => {
    assert.equal(defaultDeviceName({ userAgent: ua.macSafari, maxTouchPoints: 5 }), "Safari on iPad");
    assert.equal(defaultDeviceName({ userAgent: ua.macSafari, maxTouchPoints: 0 }), "Safari on macOS");
    assert.equal(defaultDeviceName({ userAgent: ua.macSafari }), "Safari on macOS");
  });

  it("names Chromium-based browsers by their brand rather than the Chrome they all claim to be", () => {
    assert.equal(defaultDeviceName({ userAgent: ua.windowsEdge }), "Edge on Windows");
    assert.equal(
      defaultDeviceName({ userAgent: ua.windowsChrome, brands: ["Brave", "Chromium", "Not_A Brand"] }),
      "Brave on Windows",
    );
    assert.equal(defaultDeviceName({ userAgent: ua.windowsChrome, brands: ["Google Chrome", "Chromium"] }), "Chrome on Windows");
    assert.equal(defaultDeviceName({ userAgent: ua.linuxChrome, brands: ["Chromium", "Not_A Brand"] }), "Chromium on Linux");
    assert.equal(defaultDeviceName({ userAgent: ua.chromebook }), "Chrome on ChromeOS");
  });

  it("still offers a name for a browser it does not recognise", () => {
    assert.equal(defaultDeviceName({ userAgent: "" }), "Browser");
    assert.equal(defaultDeviceName({ userAgent: "SomeKiosk/1.0 (Linux)" }), "Browser on Linux");
  });
});

describe("device name typed in Settings", () => {
  it("tidies spaces, refuses a blank name and keeps within the 80 characters the computer accepts", () => {
    assert.equal(cleanDeviceName("  My   Pixel\t8 "), "My Pixel 8");
    assert.equal(cleanDeviceName("   \n "), null);
    // Cut to the host's 80-unit limit without splitting an emoji or leaving a trailing space.
    assert.equal(cleanDeviceName("a".repeat(79) + "😀"), "a".repeat(79));
    assert.equal(cleanDeviceName("a".repeat(78) + " 😀"), "a".repeat(78));
    assert.equal(cleanDeviceName(""), null);
    assert.equal(cleanDeviceName("x".repeat(200)), "x".repeat(80));
  });
});
