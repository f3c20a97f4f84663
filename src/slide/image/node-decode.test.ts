import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArrayBuffer } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJpeg, encodePng } from '../../../test-support/encode-image.ts';
import { decodeImageBytes, readImageFile, sniffImageKind } from './node-decode.ts';

const W = 37;
const H = 23;
/** A deterministic RGB test card. */
const rgbAt = (x: number, y: number): [number, number, number] => [(x * 7) & 255, (y * 11) & 255, (x * y) & 255];

function pngBytes(): Promise<Uint8Array> {
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set([...rgbAt(x, y), 255], (y * W + x) * 4);
  return encodePng({ width: W, height: H, data });
}

describe('Node image decoding', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'focuslite-decode-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('PNG: exact pixels, opaque RGBA', async () => {
    const img = await decodeImageBytes(await pngBytes(), 'card.png');
    expect([img.width, img.height, img.data.length]).toEqual([W, H, W * H * 4]);
    expect(Array.from(img.data.subarray((5 * W + 9) * 4, (5 * W + 9) * 4 + 4))).toEqual([...rgbAt(9, 5), 255]);
  });

  it('JPEG: close to the source (lossy)', async () => {
    const data = new Uint8Array(W * H * 4);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set([120, 60 + y, 200 - x, 255], (y * W + x) * 4);
    const bytes = await encodeJpeg({ width: W, height: H, data }, 100, false);
    expect(sniffImageKind(bytes)).toBe('jpeg');
    const img = await decodeImageBytes(bytes, 'card.jpg');
    expect([img.width, img.height]).toEqual([W, H]);
    const p = (10 * W + 20) * 4;
    expect(Math.abs((img.data[p] as number) - 120)).toBeLessThanOrEqual(4);
    expect(Math.abs((img.data[p + 1] as number) - 70)).toBeLessThanOrEqual(4);
    expect(Math.abs((img.data[p + 2] as number) - 180)).toBeLessThanOrEqual(4);
  });

  it('TIFF (uncompressed RGB, via geotiff): exact pixels', async () => {
    const values = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) values.set(rgbAt(x, y), (y * W + x) * 3);
    const bytes = new Uint8Array(writeArrayBuffer(values, { width: W, height: H, SamplesPerPixel: 3, BitsPerSample: [8, 8, 8], PhotometricInterpretation: 2 }));
    expect(sniffImageKind(bytes)).toBe('tiff');
    const img = await decodeImageBytes(bytes, 'card.tif');
    expect([img.width, img.height]).toEqual([W, H]);
    expect(Array.from(img.data.subarray((22 * W + 36) * 4, (22 * W + 36) * 4 + 4))).toEqual([...rgbAt(36, 22), 255]);
  });

  it('files: errors name the file and say what is wrong', async () => {
    const png = join(dir, 'ok.png');
    await writeFile(png, await pngBytes());
    expect((await readImageFile(png)).width).toBe(W);
    const txt = join(dir, 'notes.png');
    await writeFile(txt, 'not an image at all');
    await expect(readImageFile(txt)).rejects.toThrow(`${txt}: not a PNG, JPEG or TIFF image`);
    const cut = join(dir, 'cut.png');
    await writeFile(cut, (await pngBytes()).subarray(0, 60));
    await expect(readImageFile(cut)).rejects.toThrow(new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the PNG image could not be decoded`));
    await expect(readImageFile(join(dir, 'missing.png'))).rejects.toThrow(/missing.png: no such file/);
  });
});
