// LZW, PackBits and Deflate decoding with the output bounded by the tile's size. geotiff's decoders grow their
// output without limit: a corrupt LZW tile (codes past the dictionary) looped until V8 aborted the whole process, and
// a 50 KB Deflate tile can inflate to gigabytes.

const CLEAR = 256;
const EOI = 257;

/** TIFF LZW (MSB-first, 9–12-bit codes, early change). Stops at EOI, at the end of the input, or at `maxBytes`. */
export function lzwDecode(input: Uint8Array, maxBytes: number): Uint8Array {
  const sink = new Output(maxBytes, input.length * 4);
  const prefix = new Uint16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  const totalBits = input.length * 8;
  let bitPos = 0;
  let width = 9;
  let next = 258;
  let old = -1;
  let n = 0;
  // Writes the string of `code` (walked backwards along its prefixes), cut at maxBytes.
  const emit = (code: number) => {
    const len = length[code]!;
    const out = sink.reserve(n + len);
    let c = code;
    for (let i = len - 1; i >= 0; i--) {
      if (n + i < maxBytes) out[n + i] = suffix[c]!;
      c = prefix[c]!;
    }
    n = Math.min(maxBytes, n + len);
  };
  while (n < maxBytes && bitPos + width <= totalBits) {
    const byte = bitPos >>> 3;
    const window = ((input[byte] ?? 0) << 16) | ((input[byte + 1] ?? 0) << 8) | (input[byte + 2] ?? 0);
    const code = (window >>> (24 - (bitPos & 7) - width)) & ((1 << width) - 1);
    bitPos += width;
    if (code === EOI) break;
    if (code === CLEAR) {
      next = 258;
      width = 9;
      old = -1;
      continue;
    }
    if (old === -1) {
      if (code > 255) throw new Error(`corrupt LZW data: code ${code} right after a clear code`);
      sink.reserve(n + 1)[n++] = code;
      old = code;
      continue;
    }
    if (code > next || (code === next && next >= 4096)) throw new Error(`corrupt LZW data: code ${code} is not in the dictionary (${next} entries)`);
    if (next < 4096) {
      // The new entry is old's string plus the first byte of this code's string (of old's own, for code === next).
      prefix[next] = old;
      suffix[next] = code === next ? first[old]! : first[code]!;
      first[next] = first[old]!;
      length[next] = length[old]! + 1;
      next++;
    }
    emit(code);
    old = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return sink.result(n);
}

/** PackBits (Macintosh run-length), stopping at `maxBytes`. */
export function packBitsDecode(input: Uint8Array, maxBytes: number): Uint8Array {
  const sink = new Output(maxBytes, input.length * 4);
  let n = 0;
  let i = 0;
  while (i < input.length && n < maxBytes) {
    const header = (input[i++]! << 24) >> 24;
    if (header >= 0) {
      const run = Math.min(header + 1, input.length - i, maxBytes - n);
      sink.reserve(n + run).set(input.subarray(i, i + run), n);
      n += run;
      i += header + 1;
    } else if (header !== -128) {
      const run = Math.min(1 - header, maxBytes - n);
      sink.reserve(n + run).fill(input[i++] ?? 0, n, n + run);
      n += run;
    }
  }
  return sink.result(n);
}

/** Horizontal differencing (Predictor 2) of 8-bit samples, undone in place row by row. */
export function undoHorizontalPredictor(data: Uint8Array, width: number, samplesPerPixel: number): void {
  const row = width * samplesPerPixel;
  for (let start = 0; start + row <= data.length; start += row) {
    for (let i = start + samplesPerPixel; i < start + row; i++) data[i] = (data[i]! + data[i - samplesPerPixel]!) & 0xff;
  }
}

/** An output buffer that grows by doubling up to `max`: a corrupt tile claiming a huge size costs only what it fills. */
class Output {
  private buffer: Uint8Array;
  constructor(private readonly max: number, guess: number) {
    this.buffer = new Uint8Array(Math.min(max, Math.max(4096, guess)));
  }
  /** The buffer, grown to hold at least min(length, max) bytes. */
  reserve(length: number): Uint8Array {
    if (length > this.buffer.length && this.buffer.length < this.max) {
      const grown = new Uint8Array(Math.min(this.max, Math.max(length, this.buffer.length * 2)));
      grown.set(this.buffer);
      this.buffer = grown;
    }
    return this.buffer;
  }
  result(length: number): Uint8Array {
    return this.buffer.subarray(0, length);
  }
}

/**
 * zlib Deflate (TIFF compression 8 and 32946) through the platform's DecompressionStream (browsers and Node), read
 * chunk by chunk and cut at `maxBytes`: a "zip bomb" tile costs at most one tile of memory.
 */
export async function inflateDecode(input: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const reader = new Blob([input as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate')).getReader();
  const out = new Uint8Array(maxBytes);
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, maxBytes - n);
      out.set(value.subarray(0, take), n);
      n += take;
      if (n >= maxBytes) {
        await reader.cancel();
        break;
      }
    }
  } catch (err) {
    throw new Error(`corrupt Deflate data: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return out.subarray(0, n);
}
