// Renders the PWA's PNG icons from their SVG sources in mobile-web/public/icons/ with
// Chromium. Run once after changing an SVG, and commit the PNGs:
//   npx tsx scripts/icons.ts
// Needs Chromium at /usr/bin/chromium (or TETHER_CHROMIUM).
//
// Chromium draws each SVG on a canvas and hands back its pixels; this script writes them as
// an indexed (palette) PNG. Two flat colours and their anti-aliased edges fit in a palette,
// which makes the files a fraction of the size of Chromium's own screenshots.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { chromium, type Page } from "playwright-core";

const DIR = join(__dirname, "..", "mobile-web", "public", "icons");

const RENDERS = [
  /** The manifest's "any" icons: rounded, transparent corners. */
  { source: "icon.svg", out: "icon-192.png", size: 192 },
  { source: "icon.svg", out: "icon-512.png", size: 512 },
  /** Full bleed, the mark inside the 80 % safe circle: the launcher crops it to its own shape. */
  { source: "maskable.svg", out: "maskable-512.png", size: 512 },
  /** iOS draws no transparency and rounds the corners itself. */
  { source: "maskable.svg", out: "apple-touch-icon.png", size: 180 },
  /** Android's status bar uses only the alpha of a notification's badge. */
  { source: "badge.svg", out: "badge-96.png", size: 96 },
];

/** RGBA pixels of `svg` drawn at size × size. */
async function rasterize(page: Page, svg: string, size: number): Promise<Uint8Array> {
  const pixels = await page.evaluate(
    async ({ svg, size }) => {
      const image = new Image(size, size);
      image.src = `data:image/svg+xml;base64,${btoa(svg)}`;
      await image.decode();
      const canvas = new OffscreenCanvas(size, size);
      const context = canvas.getContext("2d")!;
      context.drawImage(image, 0, 0, size, size);
      return Array.from(context.getImageData(0, 0, size, size).data);
    },
    { svg, size },
  );
  return Uint8Array.from(pixels);
}

/** Reduces the colours to at most 256 by dropping low bits of every channel until they fit. */
function palettize(rgba: Uint8Array): { palette: number[][]; indices: Uint8Array } {
  for (let drop = 0; drop < 8; drop++) {
    const keep = (v: number): number => (drop === 0 ? v : Math.min(255, ((v >> drop) << drop) + (1 << (drop - 1))));
    const colours = new Map<number, number>();
    const palette: number[][] = [];
    const indices = new Uint8Array(rgba.length / 4);
    let fits = true;
    for (let p = 0; p < indices.length; p++) {
      const a = rgba[p * 4 + 3]!;
      // Fully transparent pixels are all the same pixel.
      const c =
        a === 0 ? [0, 0, 0, 0] : [keep(rgba[p * 4]!), keep(rgba[p * 4 + 1]!), keep(rgba[p * 4 + 2]!), a === 255 ? 255 : keep(a)];
      const key = ((c[0]! << 24) | (c[1]! << 16) | (c[2]! << 8) | c[3]!) >>> 0;
      let index = colours.get(key);
      if (index === undefined) {
        if (palette.length === 256) {
          fits = false;
          break;
        }
        index = palette.length;
        colours.set(key, index);
        palette.push(c);
      }
      indices[p] = index;
    }
    if (fits) return { palette, indices };
  }
  throw new Error("could not reduce the image to 256 colours");
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit indexed PNG, with a tRNS chunk when any colour is not opaque. */
function encodeIndexedPng(size: number, palette: number[][], indices: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 3; // colour type: indexed
  const rows = Buffer.alloc(size * (size + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size + 1)] = 0; // filter: none, the best for palette images
    rows.set(indices.subarray(y * size, (y + 1) * size), y * (size + 1) + 1);
  }
  const alphas = palette.map((c) => c[3]!);
  const lastTranslucent = alphas.findLastIndex((a) => a !== 255);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("PLTE", Uint8Array.from(palette.flatMap((c) => c.slice(0, 3)))),
    ...(lastTranslucent >= 0 ? [chunk("tRNS", Uint8Array.from(alphas.slice(0, lastTranslucent + 1)))] : []),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

async function main(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: process.env.TETHER_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    for (const { source, out, size } of RENDERS) {
      const svg = readFileSync(join(DIR, source), "utf8");
      const { palette, indices } = palettize(await rasterize(page, svg, size));
      const png = encodeIndexedPng(size, palette, indices);
      writeFileSync(join(DIR, out), png);
      console.log(`${out}: ${size}×${size}, ${palette.length} colours, ${png.length} bytes`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
