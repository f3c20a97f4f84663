// The 'u8' FocusLiteNN graph (u8-graph.ts) computed directly from the slide's pixels, without onnxruntime: the
// integer convolution and its minimum in WebAssembly SIMD (u8-conv.wat), then the graph's float
// tail (Cast, Mul, Add, Gemm) in float32 as onnxruntime does it. Integer sums are exact in any order, and the tail is
// the same float32 operations in the same order, so the scores are those of onnxruntime bit for bit (u8-kernel.test.ts
// checks real patches and the tail's rounding). What it saves: cutting each patch into the model's 5×7 windows
// (242k bytes per patch, each pixel written about 1.5 times), onnxruntime's integer matrix product, and starting
// onnxruntime at all.
import type { PixelImage } from '../patch-grid.ts';
import { channelsOf, PATCH } from '../patch-grid.ts';
import { densityTables, OD, type DensityNormalisation } from '../stain-density.ts';
import type { U8Graph } from './u8-graph.ts';
import { U8_CONV_WASM } from './u8-conv-wasm.ts';

// Must match u8-conv.wat's memory layout.
const TABLE = 65536;
const MINS = 65792;
const OD_AT = 260096;
const IMAGE = 262144;
const PAGE = 65536;

interface Exports {
  memory: WebAssembly.Memory;
  fill(src: number, rowBytes: number, channels: number): void;
  conv(kernels: number): void;
  odSum(src: number, rowBytes: number, n: number, rows: number, channels: number): number;
}

type Corners = readonly { x: number; y: number }[];

const IDENTITY = Uint8Array.from({ length: 256 }, (_, v) => v);

/** Compiled once per thread; every kernel instance gets its own memory. */
let compiled: Promise<WebAssembly.Module> | undefined;
function wasmModule(): Promise<WebAssembly.Module> {
  compiled ??= WebAssembly.compile(base64Bytes(U8_CONV_WASM));
  return compiled;
}

function base64Bytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Whether this engine runs WebAssembly SIMD (the kernel's only requirement beyond WebAssembly). */
export async function wasmSimdAvailable(): Promise<boolean> {
  try {
    await wasmModule();
    return true;
  } catch {
    return false;
  }
}

/** Scores patches of the recognised graph; one instance per thread (its memory holds one block at a time). */
export class U8Kernel {
  private constructor(
    private readonly graph: U8Graph,
    private readonly wasm: Exports,
  ) {
    new Int16Array(wasm.memory.buffer, 0, graph.weights.length).set(graph.weights);
    new Float64Array(wasm.memory.buffer, OD_AT, 256).set(OD);
  }

  static async create(graph: U8Graph): Promise<U8Kernel> {
    const instance = await WebAssembly.instantiate(await wasmModule());
    return new U8Kernel(graph, instance.exports as unknown as Exports);
  }

  /**
   * Scores of the 235×235 patches of `img` (RGB or RGBA) at `corners`, each patch's bytes first mapped through the
   * table of its stain density when `density` is given (stain-density.ts: densityTables, its sums taken here).
   */
  scorePatches(img: PixelImage, corners: Corners, density?: DensityNormalisation): Float32Array {
    const scores = new Float32Array(corners.length);
    if (corners.length === 0) return scores;
    const { y0, rowBytes, ch } = this.load(img, corners);
    const tables = density ? this.tables(img, corners, density, y0) : undefined;
    const heap = new Uint8Array(this.wasm.memory.buffer);
    const mins = new Int32Array(this.wasm.memory.buffer, MINS, this.graph.kernels);
    const { kernels, minScales, bias, fc } = this.graph;
    for (const [i, c] of corners.entries()) {
      heap.set(tables?.[i] ?? IDENTITY, TABLE);
      this.wasm.fill(IMAGE + (c.y - y0) * rowBytes + c.x * ch, rowBytes, ch);
      this.wasm.conv(kernels);
      scores[i] = tail(mins, minScales, bias, fc);
    }
    return scores;
  }

  /** densityTables(img, corners, n), the same tables, with the pixel sums taken in WebAssembly. */
  densityTables(img: PixelImage, corners: Corners, n: DensityNormalisation): Uint8Array[] {
    if (corners.length === 0) return [];
    return this.tables(img, corners, n, this.load(img, corners).y0);
  }

  /** Tables of the patches of `img`, whose rows from `y0` on are loaded. */
  private tables(img: PixelImage, corners: Corners, n: DensityNormalisation, y0: number): Uint8Array[] {
    const ch = channelsOf(img);
    const rowBytes = img.width * ch;
    const at = (x: number, y: number) => IMAGE + (y - y0) * rowBytes + x * ch;
    return densityTables(img, corners, n, (xa, xb, ya, yb) => this.wasm.odSum(at(xa, ya), rowBytes, xb - xa, yb - ya, ch));
  }

  /** Copies the rows the patches cover into the kernel's memory (the first at IMAGE). */
  private load(img: PixelImage, corners: Corners): { y0: number; rowBytes: number; ch: number } {
    const ch = channelsOf(img);
    let y0 = Infinity;
    let y1 = 0;
    for (const c of corners) {
      if (c.x < 0 || c.y < 0 || c.x + PATCH > img.width || c.y + PATCH > img.height) throw new RangeError(`patch at (${c.x}, ${c.y}) is outside the ${img.width}×${img.height} image`);
      y0 = Math.min(y0, c.y);
      y1 = Math.max(y1, c.y + PATCH);
    }
    const rowBytes = img.width * ch;
    const bytes = (y1 - y0) * rowBytes;
    const memory = this.wasm.memory;
    if (memory.buffer.byteLength < IMAGE + bytes + 16) memory.grow(Math.ceil((IMAGE + bytes + 16 - memory.buffer.byteLength) / PAGE));
    new Uint8Array(memory.buffer).set(new Uint8Array(img.data.buffer, img.data.byteOffset + y0 * rowBytes, bytes), IMAGE); // a byte view: a plain copy
    return { y0, rowBytes, ch };
  }
}

/**
 * The graph after the integer minimum, in float32 as onnxruntime computes it: Cast (exact below 2²⁴), Mul by the
 * kernel's scale, Add its bias; then Gemm (Σ min·w in kernel order, then + bias).
 */
function tail(mins: Int32Array, minScales: Float32Array, bias: Float32Array, fc: U8Graph['fc']): number {
  const f = Math.fround;
  if (!fc) return f(f(mins[0]! * minScales[0]!) + bias[0]!);
  let sum = 0;
  for (let k = 0; k < mins.length; k++) sum = f(sum + f(f(f(mins[k]! * minScales[k]!) + bias[k]!) * fc.weight[k]!));
  return f(sum + fc.bias);
}
