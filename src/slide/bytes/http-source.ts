import { SlideError, throwIfAborted, type ByteSource } from '../types.ts';
import { checkRange } from './blob-source.ts';

const BLOCK = 256 * 1024;
const MAX_CACHED_BLOCKS = 128; // 32 MiB

/**
 * A remote file read with HTTP range requests in fixed blocks, with a small LRU of blocks so the many small reads of
 * TIFF parsing cost few requests. The server must answer `Range` with 206 and allow it cross-origin.
 */
export class HttpRangeSource implements ByteSource {
  private readonly blocks = new Map<number, Promise<Uint8Array>>();

  private constructor(readonly url: string, readonly name: string, readonly size: number) {}

  static async open(url: string, signal?: AbortSignal): Promise<HttpRangeSource> {
    const name = decodeURIComponent(new URL(url, globalThis.location?.href).pathname.split('/').pop() || url);
    let response: Response;
    try {
      response = await fetch(url, { headers: { Range: 'bytes=0-0' }, signal });
    } catch (err) {
      throwIfAborted(signal);
      throw new SlideError(
        `Could not fetch ${url}: ${(err as Error).message}. The server may be down, or may not allow cross-origin requests (CORS).`,
      );
    }
    if (!response.ok) throw new SlideError(`Could not fetch ${url}: HTTP ${response.status} ${response.statusText}.`);
    if ((response.headers.get('Content-Type') ?? '').includes('text/html')) {
      await response.body?.cancel();
      throw new SlideError(`${url}: the server returned a web page, not a slide (is the URL right? Many servers answer unknown paths with their home page).`);
    }
    const range = response.headers.get('Content-Range');
    await response.body?.cancel();
    const total = range ? Number(/\/(\d+)\s*$/.exec(range)?.[1]) : NaN;
    if (response.status !== 206 || !Number.isFinite(total)) {
      throw new SlideError(
        `${url}: the server does not support HTTP range requests (answered ${response.status} without Content-Range), ` +
          'so the slide cannot be read piecewise. Serve it from a server that honours Range and exposes Content-Range (CORS: Access-Control-Expose-Headers).',
      );
    }
    return new HttpRangeSource(url, name, total);
  }

  async read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    checkRange(this, offset, length);
    if (length === 0) return new Uint8Array(0);
    const first = Math.floor(offset / BLOCK);
    const last = Math.floor((offset + length - 1) / BLOCK);
    // Large reads (tiles) go straight to the server rather than through the block cache.
    if (last - first > 2) return this.fetchRange(offset, length, signal);
    const parts = await Promise.all(
      Array.from({ length: last - first + 1 }, (_, i) => this.block(first + i, signal)),
    );
    const out = new Uint8Array(length);
    let written = 0;
    parts.forEach((part, i) => {
      const blockStart = (first + i) * BLOCK;
      const from = Math.max(offset, blockStart) - blockStart;
      const to = Math.min(offset + length, blockStart + part.byteLength) - blockStart;
      out.set(part.subarray(from, to), written);
      written += to - from;
    });
    return out;
  }

  private block(index: number, signal?: AbortSignal): Promise<Uint8Array> {
    let cached = this.blocks.get(index);
    if (cached) {
      this.blocks.delete(index);
      this.blocks.set(index, cached);
      return cached;
    }
    const start = index * BLOCK;
    // A block is shared by many callers, so it is not tied to one caller's AbortSignal.
    cached = this.fetchRange(start, Math.min(BLOCK, this.size - start));
    cached.catch(() => this.blocks.delete(index));
    this.blocks.set(index, cached);
    while (this.blocks.size > MAX_CACHED_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
    throwIfAborted(signal);
    return cached;
  }

  private async fetchRange(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    const response = await fetch(this.url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` }, signal });
    if (response.status !== 206) {
      throw new SlideError(`${this.name}: range request failed (HTTP ${response.status}).`);
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength !== length) {
      throw new SlideError(`${this.name}: the server sent ${bytes.byteLength} bytes for a ${length}-byte range.`);
    }
    return bytes;
  }
}
