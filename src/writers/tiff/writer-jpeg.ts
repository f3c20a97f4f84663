// Baseline JPEG encoder for TIFF tiles: YCbCr 4:2:0, standard (Annex K) Huffman tables, IJG quality scaling.
// Written for speed (jpeg-js encodes ~2 MP/s) and byte-for-byte determinism: only IEEE + - * / and Math.round.
// Tiles can be emitted abbreviated (no tables) so the tables go once into the TIFF JPEGTables tag.

const ZIGZAG = Uint8Array.of(
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
  54, 47, 55, 62, 63,
);

// Annex K.1 tables in natural (row-major) order.
const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
  87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_Q = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99,
];

// Annex K.3 Huffman specifications: code counts per length 1..16, then symbols.
const DC_LUMA_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_LUMA_VALS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const DC_CHROMA_BITS = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
const DC_CHROMA_VALS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_LUMA_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
const AC_LUMA_VALS = [
  0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14,
  0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09,
  0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a,
  0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65,
  0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
  0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
  0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca,
  0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea,
  0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
];
const AC_CHROMA_BITS = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
const AC_CHROMA_VALS = [
  0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32,
  0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16,
  0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39,
  0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64,
  0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86,
  0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
  0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8,
  0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9,
  0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
];

// AAN DCT output scale factors (libjpeg jfdctflt.c).
const AAN = [1, 1.387039845, 1.306562965, 1.175875602, 1, 0.785694958, 0.5411961, 0.275899379];

interface HuffmanTable {
  codes: Int32Array;
  lengths: Uint8Array;
}

function buildHuffman(bits: number[], values: number[]): HuffmanTable {
  const codes = new Int32Array(256);
  const lengths = new Uint8Array(256);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < (bits[len - 1] ?? 0); i++) {
      const symbol = values[k++] ?? 0;
      codes[symbol] = code++;
      lengths[symbol] = len;
    }
    code <<= 1;
  }
  return { codes, lengths };
}

function scaleQuant(base: number[], quality: number): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? Math.floor(5000 / q) : 200 - q * 2;
  return Uint8Array.from(base, (v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

/** Multipliers that turn AAN DCT output into quantized coefficients, in natural order. */
function dctDivisors(quant: Uint8Array): Float64Array {
  const out = new Float64Array(64);
  for (let r = 0; r < 8; r++) {
    for (let c = 0; c < 8; c++) out[r * 8 + c] = 1 / ((quant[r * 8 + c] ?? 1) * (AAN[r] ?? 1) * (AAN[c] ?? 1) * 8);
  }
  return out;
}

class ByteSink {
  buf = new Uint8Array(1 << 16);
  pos = 0;
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  bytes(values: ArrayLike<number>): void {
    this.reserve(values.length);
    for (let i = 0; i < values.length; i++) this.buf[this.pos++] = values[i] ?? 0;
  }
  u16(v: number): void {
    this.bytes([(v >> 8) & 0xff, v & 0xff]);
  }
}

export interface JpegEncoderOptions {
  /** IJG quality 1–100. */
  quality: number;
}

/** Encodes RGBA images (the alpha channel is ignored) as baseline JPEG with YCbCr 4:2:0 sampling. */
export class JpegEncoder {
  readonly quality: number;
  private readonly lumaQ: Uint8Array;
  private readonly chromaQ: Uint8Array;
  private readonly lumaDiv: Float64Array;
  private readonly chromaDiv: Float64Array;
  private readonly dcLuma = buildHuffman(DC_LUMA_BITS, DC_LUMA_VALS);
  private readonly dcChroma = buildHuffman(DC_CHROMA_BITS, DC_CHROMA_VALS);
  private readonly acLuma = buildHuffman(AC_LUMA_BITS, AC_LUMA_VALS);
  private readonly acChroma = buildHuffman(AC_CHROMA_BITS, AC_CHROMA_VALS);
  private readonly out = new ByteSink();
  private readonly block = new Float64Array(64);
  private readonly quantized = new Int32Array(64);
  private readonly mcuY = new Float64Array(256);
  private readonly mcuCb = new Float64Array(64);
  private readonly mcuCr = new Float64Array(64);
  private bitAcc = 0;
  private bitCount = 0;

  constructor(options: JpegEncoderOptions) {
    this.quality = options.quality;
    this.lumaQ = scaleQuant(LUMA_Q, options.quality);
    this.chromaQ = scaleQuant(CHROMA_Q, options.quality);
    this.lumaDiv = dctDivisors(this.lumaQ);
    this.chromaDiv = dctDivisors(this.chromaQ);
  }

  /** A tables-only ("abbreviated table specification") stream for the TIFF JPEGTables tag. */
  tablesStream(): Uint8Array {
    const out = new ByteSink();
    out.u16(0xffd8);
    this.writeTables(out);
    out.u16(0xffd9);
    return out.buf.slice(0, out.pos);
  }

  /**
   * Encodes the `width`×`height` rectangle at (`x`, `y`) of an RGBA buffer `stride` pixels wide as a frame of
   * `frameWidth`×`frameHeight` (at least the rectangle; extra pixels repeat its last column and row, which is how
   * TIFF edge tiles get padded). With `withTables` false the stream omits DQT/DHT (tables live in JPEGTables).
   */
  encode(
    rgba: Uint8ClampedArray | Uint8Array,
    stride: number,
    x: number,
    y: number,
    width: number,
    height: number,
    frameWidth = width,
    frameHeight = height,
    withTables = true,
  ): Uint8Array {
    const out = this.out;
    out.pos = 0;
    out.u16(0xffd8);
    if (withTables) this.writeTables(out);
    // SOF0: 8-bit, 3 components, Y 2×2, Cb and Cr 1×1.
    const fh = frameHeight;
    const fw = frameWidth;
    out.bytes([0xff, 0xc0, 0, 17, 8, (fh >> 8) & 0xff, fh & 0xff, (fw >> 8) & 0xff, fw & 0xff, 3]);
    out.bytes([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    out.bytes([0xff, 0xda, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
    this.bitAcc = 0;
    this.bitCount = 0;
    let dcY = 0;
    let dcCb = 0;
    let dcCr = 0;
    const mcuY = this.mcuY;
    const block = this.block;
    for (let my = 0; my < fh; my += 16) {
      for (let mx = 0; mx < fw; mx += 16) {
        if (mx + 16 <= width && my + 16 <= height) this.loadMcuFast(rgba, ((y + my) * stride + x + mx) * 4, stride * 4);
        else this.loadMcuClamped(rgba, stride, x, y, width, height, mx, my);
        for (let b = 0; b < 4; b++) {
          const src = (b >> 1) * 128 + (b & 1) * 8;
          for (let r = 0; r < 8; r++) {
            const s = src + r * 16;
            const d = r * 8;
            for (let c = 0; c < 8; c++) block[d + c] = mcuY[s + c]!;
          }
          dcY = this.encodeBlock(block, this.lumaDiv, dcY, this.dcLuma, this.acLuma);
        }
        block.set(this.mcuCb);
        dcCb = this.encodeBlock(block, this.chromaDiv, dcCb, this.dcChroma, this.acChroma);
        block.set(this.mcuCr);
        dcCr = this.encodeBlock(block, this.chromaDiv, dcCr, this.dcChroma, this.acChroma);
      }
    }
    // Pad the last byte with 1-bits as the standard asks.
    if (this.bitCount > 0) {
      out.reserve(4);
      const pad = 8 - this.bitCount;
      const byte = ((this.bitAcc << pad) | ((1 << pad) - 1)) & 0xff;
      out.buf[out.pos++] = byte;
      if (byte === 0xff) out.buf[out.pos++] = 0;
      this.bitCount = 0;
    }
    out.u16(0xffd9);
    return out.buf.slice(0, out.pos);
  }

  private writeTables(out: ByteSink): void {
    out.bytes([0xff, 0xdb, 0, 132, 0]);
    for (let i = 0; i < 64; i++) out.bytes([this.lumaQ[ZIGZAG[i] ?? 0] ?? 1]);
    out.bytes([1]);
    for (let i = 0; i < 64; i++) out.bytes([this.chromaQ[ZIGZAG[i] ?? 0] ?? 1]);
    const tables: [number, number[], number[]][] = [
      [0x00, DC_LUMA_BITS, DC_LUMA_VALS],
      [0x10, AC_LUMA_BITS, AC_LUMA_VALS],
      [0x01, DC_CHROMA_BITS, DC_CHROMA_VALS],
      [0x11, AC_CHROMA_BITS, AC_CHROMA_VALS],
    ];
    let length = 2;
    for (const [, , vals] of tables) length += 17 + vals.length;
    out.bytes([0xff, 0xc4]);
    out.u16(length);
    for (const [cls, bits, vals] of tables) {
      out.bytes([cls]);
      out.bytes(bits);
      out.bytes(vals);
    }
  }

  /** Colour-converts a 16×16 MCU lying wholly inside the image: level-shifted Y and 2×2-averaged Cb, Cr. */
  private loadMcuFast(rgba: Uint8ClampedArray | Uint8Array, start: number, rowBytes: number): void {
    const mcuY = this.mcuY;
    const mcuCb = this.mcuCb;
    const mcuCr = this.mcuCr;
    for (let r = 0; r < 16; r += 2) {
      const top = start + r * rowBytes;
      const bottom = top + rowBytes;
      const yo = r * 16;
      const co = (r >> 1) * 8;
      for (let c = 0; c < 16; c += 2) {
        const i = top + c * 4;
        const j = bottom + c * 4;
        const r0 = rgba[i]!, g0 = rgba[i + 1]!, b0 = rgba[i + 2]!;
        const r1 = rgba[i + 4]!, g1 = rgba[i + 5]!, b1 = rgba[i + 6]!;
        const r2 = rgba[j]!, g2 = rgba[j + 1]!, b2 = rgba[j + 2]!;
        const r3 = rgba[j + 4]!, g3 = rgba[j + 5]!, b3 = rgba[j + 6]!;
        mcuY[yo + c] = 0.299 * r0 + 0.587 * g0 + 0.114 * b0 - 128;
        mcuY[yo + c + 1] = 0.299 * r1 + 0.587 * g1 + 0.114 * b1 - 128;
        mcuY[yo + 16 + c] = 0.299 * r2 + 0.587 * g2 + 0.114 * b2 - 128;
        mcuY[yo + 17 + c] = 0.299 * r3 + 0.587 * g3 + 0.114 * b3 - 128;
        const R = r0 + r1 + r2 + r3;
        const G = g0 + g1 + g2 + g3;
        const B = b0 + b1 + b2 + b3;
        // Mean of four; the +128 chroma offset and the -128 level shift cancel.
        mcuCb[co + (c >> 1)] = (-0.168735892 * R - 0.331264108 * G + 0.5 * B) * 0.25;
        mcuCr[co + (c >> 1)] = (0.5 * R - 0.418687589 * G - 0.081312411 * B) * 0.25;
      }
    }
  }

  /** As loadMcuFast for an MCU crossing the right or bottom edge: pixels beyond repeat the last column / row. */
  private loadMcuClamped(
    rgba: Uint8ClampedArray | Uint8Array,
    stride: number,
    x0: number,
    y0: number,
    width: number,
    height: number,
    mx: number,
    my: number,
  ): void {
    const mcuY = this.mcuY;
    const mcuCb = this.mcuCb;
    const mcuCr = this.mcuCr;
    mcuCb.fill(0);
    mcuCr.fill(0);
    const lastX = width - 1;
    const lastY = height - 1;
    for (let r = 0; r < 16; r++) {
      const py = my + r < lastY ? my + r : lastY;
      const rowBase = ((y0 + py) * stride + x0) * 4;
      const cRow = (r >> 1) * 8;
      for (let c = 0; c < 16; c++) {
        const px = mx + c < lastX ? mx + c : lastX;
        const i = rowBase + px * 4;
        const R = rgba[i]!;
        const G = rgba[i + 1]!;
        const B = rgba[i + 2]!;
        mcuY[r * 16 + c] = 0.299 * R + 0.587 * G + 0.114 * B - 128;
        const ci = cRow + (c >> 1);
        mcuCb[ci] = mcuCb[ci]! + (-0.168735892 * R - 0.331264108 * G + 0.5 * B) * 0.25;
        mcuCr[ci] = mcuCr[ci]! + (0.5 * R - 0.418687589 * G - 0.081312411 * B) * 0.25;
      }
    }
  }

  /** DCT, quantisation and Huffman coding of one block; returns its DC value for the next block's prediction. */
  private encodeBlock(d: Float64Array, div: Float64Array, prevDc: number, dcTable: HuffmanTable, acTable: HuffmanTable): number {
    fdct8x8(d);
    // Quantise in zigzag order, rounding half away from zero (as libjpeg).
    const q = this.quantized;
    for (let i = 0; i < 64; i++) {
      const n = ZIGZAG[i]!;
      const v = d[n]! * div[n]!;
      q[i] = v < 0 ? -((0.5 - v) | 0) : (v + 0.5) | 0;
    }
    const out = this.out;
    // Worst case: 64 symbols of ≤ 27 bits, every byte stuffed.
    out.reserve(512);
    const buf = out.buf;
    let pos = out.pos;
    let acc = this.bitAcc;
    let count = this.bitCount;
    const codes = acTable.codes;
    const lengths = acTable.lengths;

    const dc = q[0]!;
    // Each put: append `len` bits, then flush whole bytes with 0xFF stuffing.
    let value = dc - prevDc;
    let magnitude = value < 0 ? -value : value;
    let size = magnitude === 0 ? 0 : 32 - Math.clz32(magnitude);
    acc = (acc << dcTable.lengths[size]!) | dcTable.codes[size]!;
    count += dcTable.lengths[size]!;
    while (count >= 8) {
      count -= 8;
      const byte = (acc >>> count) & 0xff;
      buf[pos++] = byte;
      if (byte === 0xff) buf[pos++] = 0;
    }
    acc &= (1 << count) - 1;
    if (size > 0) {
      acc = (acc << size) | ((value < 0 ? value - 1 : value) & ((1 << size) - 1));
      count += size;
      while (count >= 8) {
        count -= 8;
        const byte = (acc >>> count) & 0xff;
        buf[pos++] = byte;
        if (byte === 0xff) buf[pos++] = 0;
      }
      acc &= (1 << count) - 1;
    }

    let run = 0;
    for (let i = 1; i < 64; i++) {
      value = q[i]!;
      if (value === 0) {
        run++;
        continue;
      }
      while (run > 15) {
        acc = (acc << lengths[0xf0]!) | codes[0xf0]!;
        count += lengths[0xf0]!;
        while (count >= 8) {
          count -= 8;
          const byte = (acc >>> count) & 0xff;
          buf[pos++] = byte;
          if (byte === 0xff) buf[pos++] = 0;
        }
        acc &= (1 << count) - 1;
        run -= 16;
      }
      magnitude = value < 0 ? -value : value;
      size = 32 - Math.clz32(magnitude);
      const symbol = (run << 4) | size;
      acc = (acc << lengths[symbol]!) | codes[symbol]!;
      count += lengths[symbol]!;
      while (count >= 8) {
        count -= 8;
        const byte = (acc >>> count) & 0xff;
        buf[pos++] = byte;
        if (byte === 0xff) buf[pos++] = 0;
      }
      acc &= (1 << count) - 1;
      acc = (acc << size) | ((value < 0 ? value - 1 : value) & ((1 << size) - 1));
      count += size;
      while (count >= 8) {
        count -= 8;
        const byte = (acc >>> count) & 0xff;
        buf[pos++] = byte;
        if (byte === 0xff) buf[pos++] = 0;
      }
      acc &= (1 << count) - 1;
      run = 0;
    }
    if (run > 0) {
      acc = (acc << lengths[0]!) | codes[0]!;
      count += lengths[0]!;
      while (count >= 8) {
        count -= 8;
        const byte = (acc >>> count) & 0xff;
        buf[pos++] = byte;
        if (byte === 0xff) buf[pos++] = 0;
      }
      acc &= (1 << count) - 1;
    }
    out.pos = pos;
    this.bitAcc = acc;
    this.bitCount = count;
    return dc;
  }
}

/** In-place forward DCT (AAN, libjpeg's float version); output is scaled, undone by dctDivisors. */
function fdct8x8(d: Float64Array): void {
  for (let p = 0; p < 64; p += 8) pass(d, p, 1);
  for (let p = 0; p < 8; p++) pass(d, p, 8);
}

function pass(d: Float64Array, o: number, s: number): void {
  const d0 = d[o]!;
  const d1 = d[o + s]!;
  const d2 = d[o + 2 * s]!;
  const d3 = d[o + 3 * s]!;
  const d4 = d[o + 4 * s]!;
  const d5 = d[o + 5 * s]!;
  const d6 = d[o + 6 * s]!;
  const d7 = d[o + 7 * s]!;
  const tmp0 = d0 + d7;
  const tmp7 = d0 - d7;
  const tmp1 = d1 + d6;
  const tmp6 = d1 - d6;
  const tmp2 = d2 + d5;
  const tmp5 = d2 - d5;
  const tmp3 = d3 + d4;
  const tmp4 = d3 - d4;
  const tmp10 = tmp0 + tmp3;
  const tmp13 = tmp0 - tmp3;
  const tmp11 = tmp1 + tmp2;
  const tmp12 = tmp1 - tmp2;
  d[o] = tmp10 + tmp11;
  d[o + 4 * s] = tmp10 - tmp11;
  const z1 = (tmp12 + tmp13) * 0.707106781;
  d[o + 2 * s] = tmp13 + z1;
  d[o + 6 * s] = tmp13 - z1;
  const t10 = tmp4 + tmp5;
  const t11 = tmp5 + tmp6;
  const t12 = tmp6 + tmp7;
  const z5 = (t10 - t12) * 0.382683433;
  const z2 = 0.5411961 * t10 + z5;
  const z4 = 1.306562965 * t12 + z5;
  const z3 = t11 * 0.707106781;
  const z11 = tmp7 + z3;
  const z13 = tmp7 - z3;
  d[o + 5 * s] = z13 + z2;
  d[o + 3 * s] = z13 - z2;
  d[o + s] = z11 + z4;
  d[o + 7 * s] = z11 - z4;
}
