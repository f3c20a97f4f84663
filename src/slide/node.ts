// Node entry of the slide readers (CLI, tests, training): file access and JavaScript/WASM codecs.
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import sharp from 'sharp';
import type { Codecs } from './codecs.ts';
import { createJ2kDecoder, type OpenJpegFactory } from './jp2k/openjpeg.ts';
import { checkRange } from './bytes/blob-source.ts';
import { isDicom, seriesOf } from './dicom/dicom-slide.ts';
import { openDicomWeb, parseDicomWebPath } from './dicom/dicomweb.ts';
import { openSlide, openSlides } from './open.ts';
import type { TiffSlideOptions } from './tiff/tiff-slide.ts';
import { SlideError, type ByteSource, type RGBAImage, type SlideSource } from './types.ts';
import type { ComposableTile } from './tile-cache.ts';
import { blitArea } from './region.ts';
import { createSimdYcc, type YccConverter } from './jpeg/ycc-simd.ts';
import { createTurboJpeg, type TurboJpegFactory } from './jpeg/turbo-wasm.ts';

const require = createRequire(import.meta.url);

/** A local file read with positioned reads; never loaded whole. */
export class NodeFileSource implements ByteSource {
  private constructor(private readonly handle: FileHandle, readonly name: string, readonly size: number) {}

  static async open(path: string): Promise<NodeFileSource> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      throw new SlideError(`${path}: ${why}`);
    }
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      throw new SlideError(`${path}: is a directory`);
    }
    // Messages name the file as the user gave it.
    return new NodeFileSource(handle, path, stat.size);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const buffer = new Uint8Array(length);
    const { bytesRead } = await this.handle.read(buffer, 0, length, offset);
    if (bytesRead !== length) throw new SlideError(`${this.name}: short read at byte ${offset} (the file changed or is truncated).`);
    return buffer;
  }

  close(): void {
    void this.handle.close().catch(() => undefined);
  }
}

/**
 * JPEG and PNG through libvips/libjpeg-turbo (sharp): the same decoder family as Chromium, so the CLI and the
 * browser see the same pixels, and about 10× faster than a JavaScript decoder.
 */
async function decodeWithSharp(bytes: Uint8Array, what: string): Promise<RGBAImage> {
  try {
    const { data, info } = await sharp(bytes, SHARP_INPUT).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) throw new Error(`unexpected ${info.channels} channels`);
    return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    throw new SlideError(`${what} failed to decode: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const SHARP_INPUT = { limitInputPixels: 1 << 30, failOn: 'error' } as const;

/**
 * A JPEG tile as RGB, expanded to RGBA only where it is composed into a region (RgbTile). In a worker thread (the
 * scan's, one per core) libjpeg-turbo in WebAssembly decodes it in the thread (turbo-wasm.ts): sharp's hand-offs between
 * threads cost as much CPU as the decoding. In the main thread sharp decodes it on libvips' threads, beside the
 * JavaScript: a small slide, scanned in the main thread, took 0.58–0.66 s there against 0.66–0.79 s decoding in the
 * thread (TCGA-CR-7395, 16 MP, one-off A/B of five runs each). sharp also takes what the WebAssembly decoder declines
 * (one component, CMYK, a damaged stream, which sharp then names). Asking libvips for RGBA added a pass that cost
 * about a fifth of each tile's decode (a one-off measurement: sharp on 256² tiles of TCGA-CR-7395).
 */
async function decodeJpegTile(bytes: Uint8Array): Promise<RGBAImage> {
  const turbo = isMainThread ? undefined : await turboJpeg(bytes);
  if (turbo) return new RgbTile(turbo.width, turbo.height, turbo.rgb, pixels());
  let decoded: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    decoded = await sharp(bytes, SHARP_INPUT).raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new SlideError(`JPEG tile failed to decode: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) return decodeWithSharp(bytes, 'JPEG tile');
  return new RgbTile(info.width, info.height, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pixels());
}

const turboJpeg = createTurboJpeg(() => (require('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs') as TurboJpegFactory)());

/** This thread's WebAssembly SIMD converter (ycc-simd.ts), made on first use; undefined without WebAssembly SIMD. */
let converter: YccConverter | null | undefined;
function pixels(): YccConverter | undefined {
  if (converter === undefined) converter = createSimdYcc() ?? null;
  return converter ?? undefined;
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const OPAQUE = 0xff000000;

/**
 * Decoded RGB pixels kept at 3 bytes a pixel, written into regions as RGBA (opaque): by `simd` (WebAssembly; with its
 * copies about half the time of the JavaScript expansion below in a CPU profile of the mosaic scan, BENCHMARKS.md),
 * which stays for narrow copies and engines without SIMD.
 */
export class RgbTile implements ComposableTile {
  readonly byteSize: number;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly rgb: Uint8Array,
    private readonly simd?: YccConverter,
  ) {
    if (rgb.length !== width * height * 3) throw new RangeError(`${width}×${height} RGB needs ${width * height * 3} bytes, got ${rgb.length}`);
    this.byteSize = rgb.byteLength;
  }

  /** An RGBA copy, for readers other than region composition. */
  get data(): Uint8ClampedArray {
    const out: RGBAImage = { width: this.width, height: this.height, data: new Uint8ClampedArray(this.width * this.height * 4) };
    this.blitInto(out, 0, 0, this.width, this.height);
    return out.data;
  }

  /** As blit(dst, this, x, y, useWidth, useHeight) (region.ts) would write this tile's RGBA. */
  blitInto(dst: RGBAImage, x: number, y: number, useWidth: number, useHeight: number): void {
    const area = blitArea(dst, this, x, y, useWidth, useHeight);
    if (!area) return;
    const { x0, y0, x1, y1 } = area;
    const src = this.rgb;
    const d = dst.data;
    if (this.simd?.rgbRows && x1 - x0 >= 4) {
      const at = ((y0 - y) * this.width + (x0 - x)) * 3;
      this.simd.rgbRows(src, at, this.width * 3, x1 - x0, y1 - y0, new Uint8Array(d.buffer, d.byteOffset, d.byteLength), (y0 * dst.width + x0) * 4, dst.width * 4);
      return;
    }
    const words = LITTLE_ENDIAN && d.byteOffset % 4 === 0 ? new Uint32Array(d.buffer, d.byteOffset, d.length >> 2) : undefined;
    // Four pixels are three little-endian words of RGB: read as words where the pixel index is a multiple of 4.
    const srcWords = words && src.byteOffset % 4 === 0 ? new Uint32Array(src.buffer, src.byteOffset, src.length >> 2) : undefined;
    for (let row = y0; row < y1; row++) {
      let p = (row - y) * this.width + (x0 - x);
      let s = p * 3;
      let o = row * dst.width + x0;
      const end = row * dst.width + x1;
      if (words) {
        if (srcWords) {
          for (; p % 4 !== 0 && o < end; o++, p++, s += 3) words[o] = src[s]! | (src[s + 1]! << 8) | (src[s + 2]! << 16) | OPAQUE;
          for (let w = s >> 2; o + 3 < end; o += 4, p += 4, s += 12, w += 3) {
            const a = srcWords[w]!;
            const b = srcWords[w + 1]!;
            const c = srcWords[w + 2]!;
            words[o] = (a & 0xffffff) | OPAQUE;
            words[o + 1] = (a >>> 24) | ((b & 0xffff) << 8) | OPAQUE;
            words[o + 2] = (b >>> 16) | ((c & 0xff) << 16) | OPAQUE;
            words[o + 3] = (c >>> 8) | OPAQUE;
          }
        }
        for (; o < end; o++, s += 3) words[o] = src[s]! | (src[s + 1]! << 8) | (src[s + 2]! << 16) | OPAQUE;
      } else {
        for (let b = o * 4; o < end; o++, s += 3, b += 4) {
          d[b] = src[s]!;
          d[b + 1] = src[s + 1]!;
          d[b + 2] = src[s + 2]!;
          d[b + 3] = 255;
        }
      }
    }
  }
}

const loadOpenJpeg: OpenJpegFactory = (options) =>
  (require('@cornerstonejs/codec-openjpeg/decodewasmjs') as OpenJpegFactory)(options);

/** Codecs for Node: libjpeg-turbo in WebAssembly and via sharp, libpng via sharp, and WASM OpenJPEG. */
export const nodeCodecs: Codecs = {
  jpeg: (stream) => decodeJpegTile(stream),
  jp2k: createJ2kDecoder(loadOpenJpeg),
  image: (file) => decodeWithSharp(file, 'image'),
};

/**
 * Opens a slide or image file from disk, a folder of DICOM files (one series: a level per file; files without the
 * DICM preamble, and DICOMDIR, are left out), or a DICOMweb series (a dicomWebPath string).
 */
export async function openSlideFile(path: string, options: TiffSlideOptions = {}): Promise<SlideSource> {
  const web = parseDicomWebPath(path);
  // The token comes from the environment, never from a path or a report (DICOMWEB_TOKEN).
  if (web) return openDicomWeb({ ...web, ...(process.env.DICOMWEB_TOKEN ? { token: process.env.DICOMWEB_TOKEN } : {}) }, nodeCodecs);
  const files = parseDicomFilesPath(path);
  if (files) return openDicomFiles(files.name, files.paths);
  if (await isDirectory(path)) return openDicomFolder(path);
  const source = await NodeFileSource.open(path);
  try {
    return await openSlide(source, nodeCodecs, options);
  } catch (err) {
    source.close();
    throw err;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false; // NodeFileSource.open says what is wrong
  }
}

/** Several DICOM files of one series written as one path string (for the CLI and its worker threads). */
const DICOM_FILES_PREFIX = 'dicomfiles:';

export function dicomFilesPath(name: string, paths: readonly string[]): string {
  return `${DICOM_FILES_PREFIX}${JSON.stringify({ name, paths })}`;
}

export function parseDicomFilesPath(path: string): { name: string; paths: string[] } | undefined {
  if (!path.startsWith(DICOM_FILES_PREFIX)) return undefined;
  try {
    const r = JSON.parse(path.slice(DICOM_FILES_PREFIX.length)) as { name?: unknown; paths?: unknown };
    if (typeof r.name === 'string' && Array.isArray(r.paths) && r.paths.every((p) => typeof p === 'string')) return { name: r.name, paths: r.paths as string[] };
  } catch {
    // not ours
  }
  return undefined;
}

/**
 * Groups DICOM files by series (from the start of each header): one path per series — the file itself when alone,
 * else a dicomFilesPath — and the other paths as they are.
 */
export async function groupDicomFiles(paths: readonly string[]): Promise<{ path: string; name: string }[]> {
  const out: { path: string; name: string }[] = [];
  const series = new Map<string, string[]>();
  for (const path of paths) {
    let uid: string | undefined;
    if (!parseDicomWebPath(path) && !(await isDirectory(path))) {
      const source = await NodeFileSource.open(path).catch(() => undefined);
      try {
        if (source && (await isDicom(source))) uid = (await seriesOf(source)).uid;
      } catch {
        uid = undefined; // the reader will say what is wrong with it
      } finally {
        source?.close();
      }
    }
    if (uid === undefined) out.push({ path, name: basename(path) });
    else series.set(uid, [...(series.get(uid) ?? []), path]);
  }
  for (const [uid, files] of series) {
    out.push(files.length === 1 ? { path: files[0]!, name: basename(files[0]!) } : { path: dicomFilesPath(`series-${uid}`, files), name: `series-${uid}` });
  }
  return out;
}

async function openDicomFiles(name: string, paths: readonly string[]): Promise<SlideSource> {
  const sources: ByteSource[] = [];
  try {
    for (const p of paths) sources.push(await NodeFileSource.open(p));
    return await openSlides(name, sources, nodeCodecs);
  } catch (err) {
    for (const s of sources) s.close?.();
    throw err;
  }
}

async function openDicomFolder(path: string): Promise<SlideSource> {
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name !== 'DICOMDIR' && !e.name.startsWith('.'))
    .map((e) => join(path, e.name))
    .sort();
  const sources: ByteSource[] = [];
  try {
    for (const name of names) {
      const source = await NodeFileSource.open(name);
      if (await isDicom(source)) sources.push(source);
      else source.close();
    }
    if (sources.length === 0) throw new SlideError(`${path}: a folder without DICOM files (a folder is opened as one DICOM series).`);
    return await openSlides(path, sources, nodeCodecs);
  } catch (err) {
    for (const s of sources) s.close?.();
    throw err;
  }
}
