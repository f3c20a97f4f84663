// Node entry of the slide readers (CLI, tests, training): file access and JavaScript/WASM codecs.
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import type { Codecs } from './codecs.ts';
import { createJ2kDecoder, type OpenJpegFactory } from './jp2k/openjpeg.ts';
import { checkRange } from './bytes/blob-source.ts';
import { isDicom, seriesOf } from './dicom/dicom-slide.ts';
import { openDicomWeb, parseDicomWebPath } from './dicom/dicomweb.ts';
import { openSlide, openSlides } from './open.ts';
import type { TiffSlideOptions } from './tiff/tiff-slide.ts';
import { SlideError, type ByteSource, type RGBAImage, type SlideSource } from './types.ts';

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
    const { data, info } = await sharp(bytes, { limitInputPixels: 1 << 30, failOn: 'error' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) throw new Error(`unexpected ${info.channels} channels`);
    return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    throw new SlideError(`${what} failed to decode: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const loadOpenJpeg: OpenJpegFactory = (options) =>
  (require('@cornerstonejs/codec-openjpeg/decodewasmjs') as OpenJpegFactory)(options);

/** Codecs for Node: libjpeg-turbo and libpng via sharp, and WASM OpenJPEG. */
export const nodeCodecs: Codecs = {
  jpeg: (stream) => decodeWithSharp(stream, 'JPEG tile'),
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
