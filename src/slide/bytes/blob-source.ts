import { SlideError, throwIfAborted, type ByteSource } from '../types.ts';

/** A local File or Blob read lazily by slices: a 3 GB slide costs no more memory than a 3 MB one. */
export class BlobSource implements ByteSource {
  readonly name: string;
  readonly size: number;

  constructor(private readonly blob: Blob, name?: string) {
    this.name = name ?? (blob instanceof File ? blob.name : 'blob');
    this.size = blob.size;
  }

  async read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    checkRange(this, offset, length);
    throwIfAborted(signal);
    const buffer = await this.blob.slice(offset, offset + length).arrayBuffer();
    throwIfAborted(signal);
    return new Uint8Array(buffer);
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
