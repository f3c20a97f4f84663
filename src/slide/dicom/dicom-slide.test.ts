import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildDicom } from '../../../test-support/dicom-fixture.ts';
import { hasShared, sharedPath, SKIP_SHARED_MESSAGE } from '../../../test-support/shared.ts';
import { BufferSource } from '../bytes/blob-source.ts';
import { nodeCodecs, openSlideFile } from '../node.ts';
import { openSlide } from '../open.ts';
import { SlideError } from '../types.ts';
import { storedByColumns } from './dicom-slide.ts';

/** A libjpeg stream (YCbCr) with a JFIF APP0 marker after its SOI, as converters write DICOM frames. */
function withJfif(jpeg: Uint8Array): Uint8Array {
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0) return jpeg;
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  return new Uint8Array([...jpeg.subarray(0, 2), ...app0, ...jpeg.subarray(2)]);
}

/** A 3-colour 16×16 tile: frame i is filled with (i·20, 255 − i·20, 7), raw RGB. */
const rawTile = (i: number, size = 16) => {
  const b = new Uint8Array(size * size * 3);
  for (let p = 0; p < size * size; p++) b.set([i * 20, 255 - i * 20, 7], p * 3);
  return b;
};
const NATIVE = '1.2.840.10008.1.2.1';
const open = (bytes: Uint8Array, name = 'fixture.dcm') => openSlide(new BufferSource(bytes, name), nodeCodecs);
const pixel = (img: { width: number; data: Uint8ClampedArray }, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3));

describe('DICOM whole-slide images', () => {
  it('reads TILED_FULL frames row by row, clipped at the image edge, with the pixel spacing', async () => {
    // 40×20 px in 16-px tiles: 3 × 2 tiles, the last column and row cut short.
    const slide = await open(buildDicom({ width: 40, height: 20, tile: 16, frames: [0, 1, 2, 3, 4, 5].map((i) => rawTile(i)), syntax: NATIVE, organisation: 'TILED_FULL', spacingMm: 0.00025 }));
    expect(slide.info).toMatchObject({ format: 'dicom', vendor: 'Fixture', levels: [{ width: 40, height: 20, tileWidth: 16, tileHeight: 16, downsample: 1 }] });
    expect(slide.info.mpp).toBeCloseTo(0.25, 6);
    const img = await slide.readRegion(0, 0, 0, 48, 24);
    expect(pixel(img, 0, 0)).toEqual([0, 255, 7]);
    expect(pixel(img, 17, 0)).toEqual([20, 235, 7]);
    expect(pixel(img, 39, 19)).toEqual([100, 155, 7]); // frame 5: column 2, row 1
    expect(pixel(img, 40, 5)).toEqual([255, 255, 255]); // past the image: glass
    slide.close();
  });

  it('reads implicit VR little endian data sets (sequences, binary and string values) as explicit ones', async () => {
    const frames = [0, 1, 2, 3].map((i) => rawTile(i));
    const common = { width: 32, height: 32, tile: 16, frames, spacingMm: 0.0005, positions: [[17, 17], [1, 17], [17, 1], [1, 1]] as [number, number][], describe: { container: 'C-1', power: 20 } };
    const implicit = await open(buildDicom({ ...common, syntax: '1.2.840.10008.1.2' }));
    const explicit = await open(buildDicom({ ...common, syntax: NATIVE }));
    expect(implicit.info).toMatchObject({ levels: explicit.info.levels, mpp: explicit.info.mpp, magnification: 20, details: { container: 'C-1' } });
    expect(implicit.info.compression).toMatch(/implicit VR/);
    const [a, b] = await Promise.all([implicit.readRegion(0, 0, 0, 32, 32), explicit.readRegion(0, 0, 0, 32, 32)]);
    expect(Buffer.compare(Buffer.from(a.data), Buffer.from(b.data))).toBe(0);
    expect(pixel(a, 20, 20)).toEqual([0, 255, 7]); // frame 0 placed at column 1, row 1
  });

  it('places frames by their per-frame positions (TILED_SPARSE), leaving tiles without a frame as glass', async () => {
    const positions: [number, number][] = [[17, 1], [1, 17]]; // frame 0 at column 1, frame 1 at row 1
    const slide = await open(buildDicom({ width: 32, height: 32, tile: 16, frames: [rawTile(3), rawTile(9)], syntax: NATIVE, organisation: 'TILED_SPARSE', positions }));
    const img = await slide.readRegion(0, 0, 0, 32, 32);
    expect(pixel(img, 20, 5)).toEqual([60, 195, 7]);
    expect(pixel(img, 5, 20)).toEqual([180, 75, 7]);
    expect(pixel(img, 5, 5)).toEqual([255, 255, 255]);
  });

  it('shows how and what was scanned (objective, scanner, series, container, specimen), never the patient', async () => {
    const describe = { patientName: 'Doe^Jane', patientId: 'MRN-0042', model: 'Scanner X', series: 'H&E 40x', container: 'SLIDE-77', specimen: 'S-2026-123 A1', power: 40 };
    const slide = await open(buildDicom({ width: 16, height: 16, tile: 16, frames: [rawTile(0)], syntax: NATIVE, describe }));
    expect(slide.info.magnification).toBe(40);
    expect(slide.info.details).toEqual({ scanner: 'Fixture Scanner X', series: 'H&E 40x', container: 'SLIDE-77', specimen: 'S-2026-123 A1' });
    expect(JSON.stringify(slide.info)).not.toMatch(/Doe|Jane|MRN-0042/);
  });

  it('decodes JPEG frames, trusting a JFIF marker over a Photometric of RGB', async () => {
    const rgb = Buffer.from(rawTile(4, 16));
    const jpeg = withJfif(new Uint8Array(await sharp(rgb, { raw: { width: 16, height: 16, channels: 3 } }).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer()));
    const slide = await open(buildDicom({ width: 16, height: 16, tile: 16, frames: [jpeg], photometric: 'RGB' }));
    const [r, g, b] = pixel(await slide.readRegion(0, 0, 0, 16, 16), 8, 8);
    expect(Math.abs(r! - 80)).toBeLessThanOrEqual(2);
    expect(Math.abs(g! - 175)).toBeLessThanOrEqual(2);
    expect(Math.abs(b! - 7)).toBeLessThanOrEqual(3);
  });

  it('finds frames through the Extended or Basic Offset Table, joining frames split over several fragments', async () => {
    const jpeg = new Uint8Array(await sharp(Buffer.from(rawTile(5, 16)), { raw: { width: 16, height: 16, channels: 3 } }).jpeg({ quality: 95 }).toBuffer());
    const base = { width: 32, height: 16, tile: 16, frames: [jpeg, jpeg] };
    const reference = await (await open(buildDicom(base))).readRegion(0, 0, 0, 32, 16);
    for (const variant of [{ fragmentsPerFrame: 3, bot: 'auto' as const }, { eot: true as const }, { eot: true as const, bot: 'auto' as const }]) {
      const slide = await open(buildDicom({ ...base, ...variant }));
      expect(Buffer.compare(Buffer.from((await slide.readRegion(0, 0, 0, 32, 16)).data), Buffer.from(reference.data)), JSON.stringify(variant)).toBe(0);
    }
    const refusal = (extra: object) => open(buildDicom({ ...base, ...extra })).then(() => '', (e: Error) => e.message);
    expect(await refusal({ fragmentsPerFrame: 3 })).toMatch(/6 fragments for 2 frames and no offset table to tell them apart/);
    expect(await refusal({ bot: [0, 1e9] })).toMatch(/the Basic Offset Table \(frame 2\) points past the end of the file/);
    expect(await refusal({ fragmentsPerFrame: 2, bot: [0, 7] })).toMatch(/the Basic Offset Table does not match the fragments \(frame 1\)/);
    expect(await refusal({ eot: [[0, jpeg.length], [1e9, jpeg.length]] })).toMatch(/the Extended Offset Table \(frame 2\) points past the end of the file/);
    expect(await refusal({ frames: [jpeg] })).toMatch(/1 frames for 2 tiles|2 frames but only 1 fragments/);
  });

  it('tells column-by-column storage from the sizes of the edge frames', () => {
    const grid = { width: 1000, height: 900, tileWidth: 300, tileHeight: 300, tilesAcross: 4, tilesDown: 3 };
    const sizes = (edge: (i: number) => boolean) => Array.from({ length: 12 }, (_, i) => (edge(i) ? 1000 : 50_000));
    // by columns, the partial last column is frames 9–11 (and the last row is full: 900 = 3 × 300)
    expect(storedByColumns(sizes((i) => i >= 9), grid)).toBe(true);
    expect(storedByColumns(sizes((i) => i % 4 === 3), grid)).toBe(false);
    expect(storedByColumns(sizes(() => false), grid)).toBe(false);
    expect(storedByColumns(sizes((i) => i >= 9), { ...grid, width: 1200 })).toBe(false); // no partial edge, no evidence
  });

  it('refuses what it cannot show, saying what the file is', async () => {
    const base = { width: 16, height: 16, tile: 16, frames: [rawTile(0)], syntax: NATIVE };
    const refusal = async (bytes: Uint8Array) => {
      const err = await open(bytes).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(SlideError);
      return (err as Error).message;
    };
    expect(await refusal(buildDicom({ ...base, imageType: 'ORIGINAL\\PRIMARY\\LABEL\\NONE' }))).toMatch(/the slide's label image, not its tissue; open a VOLUME instance/);
    expect(await refusal(buildDicom({ ...base, sopClass: '1.2.840.10008.5.1.4.1.1.2' }))).toMatch(/not a whole-slide image \(SOP class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.2/);
    expect(await refusal(buildDicom({ ...base, syntax: '1.2.840.10008.1.2.2' }))).toMatch(/unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.2/);
    expect(await refusal(buildDicom({ ...base, noPixelData: true }))).toMatch(/no pixel data/);
    expect(await refusal(buildDicom({ ...base, organisation: 'TILED_SPARSE' }))).toMatch(/TILED_SPARSE frames without per-frame positions/);
    expect(await refusal(buildDicom({ ...base, positions: [[5, 1]] }))).toMatch(/frame 1 is positioned at \(5, 1\), not on the 16×16 tile grid/);
    const jpeg = buildDicom({ ...base, syntax: undefined, frames: [new Uint8Array(4000)] });
    expect(await refusal(jpeg.subarray(0, jpeg.length - 1000))).toMatch(/truncated/);
  });

  it.skipIf(!hasShared)(`the real DICOM WSI: frames stored column by column land where they belong${hasShared ? '' : ` (${SKIP_SHARED_MESSAGE})`}`, async () => {
    const path = sharedPath('slides', 'TCGA-XK-AAJU-small.dcm');
    const slide = await openSlideFile(path);
    try {
      expect(slide.info).toMatchObject({ format: 'dicom', levels: [{ width: 3236, height: 2638, tileWidth: 500, tileHeight: 500 }] });
      expect(slide.info.mpp).toBeCloseTo(4.635, 2);
      // The file's frames in storage order, decoded on their own (libjpeg-turbo via sharp).
      const file = new Uint8Array(readFileSync(path));
      const frames = fragments(file);
      expect(frames).toHaveLength(42);
      for (const [col, row] of [[0, 0], [3, 2], [6, 5], [2, 5], [6, 0]] as const) {
        const own = await sharp(frames[col * 6 + row]!).raw().toBuffer({ resolveWithObject: true });
        const w = Math.min(500, 3236 - col * 500);
        const h = Math.min(500, 2638 - row * 500);
        const got = await slide.readRegion(0, col * 500, row * 500, w, h);
        let differing = 0;
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            for (let c = 0; c < 3; c++) if (got.data[(y * w + x) * 4 + c] !== own.data[(y * 500 + x) * own.info.channels + c]) differing++;
        expect(differing, `tile (${col}, ${row})`).toBe(0);
      }
    } finally {
      slide.close();
    }
  });
});

/** The fragments of a file's encapsulated Pixel Data, found by their tag and walked item by item (no offset table). */
function fragments(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = -1;
  for (let i = 132; i + 12 < file.length; i++) {
    if (view.getUint32(i, true) === 0x00107fe0 && file[i + 4] === 0x4f && file[i + 5] === 0x42 && view.getUint32(i + 8, true) === 0xffffffff) at = i + 12;
  }
  const out: Uint8Array[] = [];
  for (let first = true; at + 8 <= file.length && view.getUint32(at, true) === 0xe000fffe; first = false) {
    const length = view.getUint32(at + 4, true);
    if (!first) out.push(file.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  return out;
}

