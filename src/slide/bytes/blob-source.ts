import { LruCache } from '../lru.ts';
import { SlideError, throwIfAborted, type ByteSource } from '../types.ts';

/** Reads at most this large go through the chunk cache; bigger ones are read directly. */
const CHUNK_BYTES = 1 << 20;

/**
 * A local File or Blob read lazily by slices: a 3 GB slide costs no more memory than a 3 MB one.
 *
 * Small reads (tiles, tag arrays) are served from aligned 1 MB chunks kept in a small LRU: every Blob read is a
 * round trip to the browser's file thread costing milliseconds, and a scan reads thousands of neighbouring tiles,
 * which slides store next to each other. Measured with `npm run bench:scan`: per-tile reads spent more time waiting
 * than decoding.
 */
export class BlobSource implements ByteSource {
  readonly name: string;
  readonly size: number;
  private readonly chunks: LruCache<number, Uint8Array>;
  private readonly pending = new Map<number, Promise<Uint8Array>>();

  constructor(private readonly blob: Blob, name?: string, cacheBytes = 8 * CHUNK_BYTES) {
    this.name = name ?? (blob instanceof File ? blob.name : 'blob');
    this.size = blob.size;
    this.chunks = new LruCache(cacheBytes, (c) => c.byteLength);
  }

  async read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    checkRange(this, offset, length);
    throwIfAborted(signal);
    const first = Math.floor(offset / CHUNK_BYTES);
    const last = Math.floor((offset + length - 1) / CHUNK_BYTES);
    let bytes: Uint8Array;
    if (length > CHUNK_BYTES / 4 || length === 0) {
      bytes = new Uint8Array(await this.blob.slice(offset, offset + length).arrayBuffer());
    } else if (first === last) {
      const chunk = await this.chunk(first);
      const start = offset - first * CHUNK_BYTES;
      bytes = chunk.subarray(start, start + length);
    } else {
      // Straddles two chunks: copy the two parts.
      const [a, b] = await Promise.all([this.chunk(first), this.chunk(last)]);
      bytes = new Uint8Array(length);
      const start = offset - first * CHUNK_BYTES;
      const head = a.subarray(start);
      bytes.set(head, 0);
      bytes.set(b.subarray(0, length - head.length), head.length);
    }
    throwIfAborted(signal);
    return bytes;
  }

  private chunk(index: number): Promise<Uint8Array> {
    const cached = this.chunks.get(index);
    if (cached) return Promise.resolve(cached);
    let pending = this.pending.get(index);
    if (!pending) {
      const start = index * CHUNK_BYTES;
      pending = this.blob
        .slice(start, Math.min(this.size, start + CHUNK_BYTES))
        .arrayBuffer()
        .then((buffer) => {
          const chunk = new Uint8Array(buffer);
          this.chunks.set(index, chunk);
          return chunk;
        })
        .finally(() => this.pending.delete(index));
      this.pending.set(index, pending);
    }
    return pending;
  }

  close(): void {
    this.chunks.clear();
  }
}
/** Bytes already in memory (tests, the CLI for small files, dropped images). */
export class BufferSource implements ByteSource {
  readonly size: number;
  private readonly bytes: Uint8Array;

  constructor(data: ArrayBuffer | Uint8Array, readonly name = 'buffer') {
    this.bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    this.size = this.bytes.byteLength;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
}

/** Reads past the end mean a truncated or corrupt file; say so instead of returning short data. */
export function checkRange(source: ByteSource, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new SlideError(`${source.name}: invalid read at offset ${offset} (${length} bytes): the file is corrupt.`);
  }
  if (offset + length > source.size) {
    throw new SlideError(
      `${source.name}: the file is truncated or corrupt: data at bytes ${offset}–${offset + length} lies past its end (${source.size} bytes).`,
    );
  }
}
