// FocusLiteNN as an ONNX model, written with a tiny protobuf encoder (no protobuf library, no Python).
//
// Graph (opset 17, IR version 8; onnxruntime-web 1.30 runs it in Node and in browser workers), per patch:
//   layout 'nchw': input float32 [N,3,235,235] (RGB uint8 / 255, channels first)
//     Conv(W [C,3,7,7], B [C], kernel 7×7, strides 5, pads 1,1,1,1)                     → [N,C,47,47]
//   layout 's2d' (input-layout.ts): input float32 [N,75,48,48], the same values space-to-depth
//     Conv(W1 [4C,75,1,1]) partial sums per 2×2 block offset                              → [N,4C,48,48]
//     Conv(W2 [C,4,2,2] fixed 0/1, B [C], group C) adds the four offsets                  → [N,C,47,47]
//   layout 'u8' (input-layout.ts): input uint8 [N,105,48,48], 5×7 windows of the padded patch; the weights as
//   D base-256 digits (D = 1 for weights on an 8-bit grid, as this project trains them; 3 for arbitrary floats)
//     Reshape → [N,105,2304]; MatMulInteger(Wq uint8 [2CD,105], zero point 128): per kernel, block-row offset
//       dy (kernel rows 0–4 / 5–6) and digit of the weights, exact int32 sums                        → [N,2CD,2304]
//     D > 1: Cast float; MatMul(S [2C,2CD]): digit scales × weight scale / 255                     → [N,2C,2304]
//     Reshape [N,C,2,48,48]; output row i = dy 0 at block row i + dy 1 at block row i + 1, columns 0–46:
//       Slice, Slice, Add                                                                           → [N,C,1,47,47]
//     ReduceMin(axes [2,3,4]); D = 1: Cast float, Mul(weight scale / 255 [C]); Add(B [C])           → [N,C]
//   nchw, s2d: ReduceMin(axes [2,3], keepdims 0)                                          → [N,C]
//   C > 1 (or fc given): Gemm(fcW [1,C], fcB [1], transB 1)                               → [N,1]
//   output score float32 [N,1]
//
// Why per-patch and not one fully convolutional pass over a tile (decided by counting, not guessing):
// - each patch's conv is zero-padded by 1 pixel, so its 184 border positions (of 47×47) see zeros where a shared
//   map over the tile sees neighbouring pixels: a shared map is not exact except for patches at the tile edge;
// - patch corners step by 128, and 128 mod 5 = 3, so the 7 corners 0…768 of a 1024 side fall on all 5 phases of
//   the stride-5 grid; covering them needs 5×5 phase maps of 205×205 ≈ 1.05M conv positions per 1024×1024 image,
//   against 49 × 47² ≈ 108k for per-patch batching (10× less work).
// So the app and the CLI score patches in batches (session.ts, RUN_BATCH); see onnx-builder.test.ts.
import { INPUT_NAME, inputShape, inputType, OUTPUT_NAME, S2D_BLOCK, S2D_CHANNELS, U8_CHANNELS, U8_COLS, U8_ROWS, U8_WINDOW_COLS, U8_WINDOW_ROWS, type InputLayout } from '../../focus/session/input-layout.ts';
import { kernelStep, weightDigits, type WeightDigits } from './quantise.ts';
import { validateWeights, type FocusWeights } from './weights.ts';

export const CONV_STRIDE = 5;
export const CONV_PAD = 1;
export const CONV_OUT = 47; // floor((235 + 2 - 7) / 5) + 1
export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

// ---------------------------------------------------------------------------------------------------------------
// Protobuf encoding (proto3 wire format): varints, length-delimited fields, packed floats.

class ProtoWriter {
  private bytes: number[] = [];

  private varint(v: number | bigint) {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.bytes.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.bytes.push(Number(x));
  }
  private tag(field: number, wireType: number) {
    this.varint((field << 3) | wireType);
  }
  int(field: number, v: number) {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }
  bytesField(field: number, b: Uint8Array) {
    this.tag(field, 2);
    this.varint(b.length);
    for (const x of b) this.bytes.push(x);
    return this;
  }
  string(field: number, s: string) {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  message(field: number, m: ProtoWriter) {
    return this.bytesField(field, m.finish());
  }
  float(field: number, v: number) {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.bytes.push(...b);
    return this;
  }
  packedInts(field: number, vs: number[]) {
    const inner = new ProtoWriter();
    for (const v of vs) inner.varint(v);
    return this.bytesField(field, inner.finish());
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

// onnx.proto field numbers and enums used below.
const TensorDataType = { FLOAT: 1, UINT8: 2, INT64: 7 } as const;
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

function tensorProto(name: string, dims: number[], values: Float32Array | Uint8Array | BigInt64Array): ProtoWriter {
  const raw = new Uint8Array(values.byteLength);
  const dv = new DataView(raw.buffer);
  let type: number;
  if (values instanceof Float32Array) {
    type = TensorDataType.FLOAT;
    values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  } else if (values instanceof BigInt64Array) {
    type = TensorDataType.INT64;
    values.forEach((v, i) => dv.setBigInt64(i * 8, v, true));
  } else {
    type = TensorDataType.UINT8;
    raw.set(values);
  }
  return new ProtoWriter()
    .packedInts(1, dims) // dims
    .int(2, type) // data_type
    .string(8, name) // name
    .bytesField(9, raw); // raw_data (little-endian)
}

const int64s = (...v: number[]) => BigInt64Array.from(v, BigInt);

type Attr = { name: string; ints: number[] } | { name: string; int: number };

function attributeProto(a: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ('ints' in a) return w.packedInts(8, a.ints).int(20, AttributeType.INTS);
  return w.int(3, a.int).int(20, AttributeType.INT);
}

function nodeProto(opType: string, inputs: string[], outputs: string[], name: string, attrs: Attr[] = []): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name).string(4, opType);
  for (const a of attrs) w.message(5, attributeProto(a));
  return w;
}

/** A tensor value: dims are numbers (fixed) or strings (symbolic, e.g. "N"). */
function valueInfo(name: string, dims: (number | string)[], type: number = TensorDataType.FLOAT): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, type).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

export interface BuildModelOptions {
  /** graph name and model metadata "name" */
  name?: string;
  /** Extra metadata_props (string values), e.g. the source weights file. */
  metadata?: Record<string, string>;
  producerVersion?: string;
  /** Input layout; by default defaultLayout(weights). */
  layout?: InputLayout;
  /** u8 layout: base-256 digits per weight; by default the fewest that are exact (weightDigits). Fewer is refused. */
  digits?: WeightDigits;
}

/**
 * The fastest layout for these weights (bench:model): 'u8' when they need one digit (8-bit grid, any number of
 * kernels) or for 1 and 2 kernels; 'nchw' for more kernels of arbitrary float weights, whose three-digit integer
 * product costs more than the float Conv.
 */
export function defaultLayout(weights: FocusWeights): InputLayout {
  return weights.kernels <= 2 || weightDigits(weights) === 1 ? 'u8' : 'nchw';
}

/** W1 of the s2d graph: for kernel k and block offset (dy, dx), the 5×5 part of the 7×7 kernel (zero past 7). */
function s2dWeights(w: FocusWeights): Float32Array {
  const c = w.kernels;
  const w1 = new Float32Array(4 * c * S2D_CHANNELS);
  for (let k = 0; k < c; k++)
    for (let dy = 0; dy < 2; dy++)
      for (let dx = 0; dx < 2; dx++)
        for (let ch = 0; ch < 3; ch++)
          for (let p = 0; p < S2D_BLOCK; p++)
            for (let q = 0; q < S2D_BLOCK; q++) {
              const ky = dy * S2D_BLOCK + p;
              const kx = dx * S2D_BLOCK + q;
              if (ky >= 7 || kx >= 7) continue;
              w1[(k * 4 + dy * 2 + dx) * S2D_CHANNELS + ch * 25 + p * 5 + q] = w.convWeight[((k * 3 + ch) * 7 + ky) * 7 + kx] as number;
            }
  return w1;
}

/** W2 of the s2d graph: output (i, j) of kernel k adds partial sum (dy, dx) taken at block (i + dy, j + dx). */
function s2dCombine(c: number): Float32Array {
  const w2 = new Float32Array(c * 4 * 4);
  for (let k = 0; k < c; k++) for (let off = 0; off < 4; off++) w2[k * 16 + off * 4 + off] = 1;
  return w2;
}

// 'u8' weights: each kernel's 147 weights as integers Q = round(w / s), s = max|w| / (127·256^(D−1)), written as D
// base-256 digits in [−128, 127] (uint8 with zero point 128). Integer sums of uint8 pixels times digits are exact
// (|sum| < 105·255·128 < 2²⁴, so also exact as float32). Arbitrary float weights need D = 3: the quantisation error
// is then at most s/2 = max|w|·6·10⁻⁸ per weight, float32 precision, not 8-bit. Weights that already lie on an 8-bit
// grid (this project's trained models, quantise.ts) need one digit, a third of the integer work, and the
// whole map stays integer up to the minimum (min(s·x) = s·min(x) for s > 0).
const U8_ZERO_POINT = 128;
const U8_POSITIONS = U8_ROWS * U8_COLS;
/** Base-256 digits of round(v), most significant first, each in [−128, 127]. */
function digitsOf(v: number, digits: WeightDigits): number[] {
  let q = Math.round(v);
  const out: number[] = [];
  for (let i = 0; i < digits - 1; i++) {
    const d = q - 256 * Math.round(q / 256);
    out.unshift(d);
    q = (q - d) / 256;
  }
  out.unshift(q);
  return out;
}

/** Wq [2CD,105]: row (k·2 + dy)·D + digit; column colour·35 + row·7 + column of the window (input-layout.ts). */
function u8Weights(w: FocusWeights, digits: WeightDigits): Uint8Array {
  const c = w.kernels;
  const wq = new Uint8Array(c * 2 * digits * U8_CHANNELS).fill(U8_ZERO_POINT);
  for (let k = 0; k < c; k++) {
    const s = kernelStep(w, k, digits);
    for (let ch = 0; ch < 3; ch++)
      for (let ky = 0; ky < 7; ky++)
        for (let kx = 0; kx < 7; kx++) {
          const dy = ky < U8_WINDOW_ROWS ? 0 : 1;
          const col = ch * U8_WINDOW_ROWS * U8_WINDOW_COLS + (ky - dy * U8_WINDOW_ROWS) * U8_WINDOW_COLS + kx;
          const ds = digitsOf((w.convWeight[((k * 3 + ch) * 7 + ky) * 7 + kx] as number) / s, digits);
          ds.forEach((d, i) => (wq[((k * 2 + dy) * digits + i) * U8_CHANNELS + col] = d + U8_ZERO_POINT));
        }
  }
  return wq;
}

/** S [2C,2CD]: adds each (kernel, dy)'s digits with weights 256^(D−1) … 1, times the kernel's scale / 255. */
function u8DigitScales(w: FocusWeights, digits: WeightDigits): Float32Array {
  const c = w.kernels;
  const m = new Float32Array(2 * c * 2 * c * digits);
  for (let k = 0; k < c; k++) {
    const s = kernelStep(w, k, digits) / 255;
    for (let dy = 0; dy < 2; dy++)
      for (let i = 0; i < digits; i++) m[(k * 2 + dy) * 2 * c * digits + (k * 2 + dy) * digits + i] = s * 256 ** (digits - 1 - i);
  }
  return m;
}

/** One digit: each kernel's scale / 255, applied to its integer minimum. */
function u8MinScales(w: FocusWeights): Float32Array {
  return Float32Array.from({ length: w.kernels }, (_, k) => kernelStep(w, k, 1) / 255);
}

/** Serialised ONNX model bytes of the per-patch FocusLiteNN for these weights. */
export function buildFocusModel(weights: FocusWeights, options: BuildModelOptions = {}): Uint8Array {
  validateWeights(weights);
  const c = weights.kernels;
  const hasFc = weights.fcWeight !== undefined;
  const name = options.name ?? `focuslitenn-${c}kernel`;
  const layout = options.layout ?? defaultLayout(weights);
  const exactDigits = weightDigits(weights);
  const digits = options.digits ?? exactDigits;
  if (digits < exactDigits) {
    throw new RangeError(`these weights need ${exactDigits} base-256 digits to be exact in the u8 graph; ${digits} would round them`);
  }

  const graph = new ProtoWriter();
  if (layout === 'nchw') {
    graph.message(
      1,
      nodeProto('Conv', [INPUT_NAME, 'conv.weight', 'conv.bias'], ['conv_map'], 'conv', [
        { name: 'kernel_shape', ints: [7, 7] },
        { name: 'strides', ints: [CONV_STRIDE, CONV_STRIDE] },
        { name: 'pads', ints: [CONV_PAD, CONV_PAD, CONV_PAD, CONV_PAD] },
        { name: 'dilations', ints: [1, 1] },
        { name: 'group', int: 1 },
      ]),
    );
  } else if (layout === 'u8') {
    graph.message(1, nodeProto('Reshape', [INPUT_NAME, 'u8.flat_shape'], ['windows'], 'flatten'));
    graph.message(1, nodeProto('MatMulInteger', ['conv.u8_weight', 'windows', 'u8.zero_point'], ['digit_sums'], 'conv_digits'));
    if (digits > 1) {
      graph.message(1, nodeProto('Cast', ['digit_sums'], ['digit_sums_f'], 'to_float', [{ name: 'to', int: TensorDataType.FLOAT }]));
      graph.message(1, nodeProto('MatMul', ['conv.u8_scales', 'digit_sums_f'], ['row_sums'], 'add_digits'));
    }
    graph.message(1, nodeProto('Reshape', [digits > 1 ? 'row_sums' : 'digit_sums', 'u8.row_shape'], ['row_sums4'], 'split_rows'));
    graph.message(1, nodeProto('Slice', ['row_sums4', 'u8.top_start', 'u8.top_end', 'u8.axes'], ['top'], 'top_rows'));
    graph.message(1, nodeProto('Slice', ['row_sums4', 'u8.bottom_start', 'u8.bottom_end', 'u8.axes'], ['bottom'], 'bottom_rows'));
    graph.message(1, nodeProto('Add', ['top', 'bottom'], ['conv_nobias'], 'add_rows'));
  } else {
    graph.message(1, nodeProto('Conv', [INPUT_NAME, 'conv.s2d_weight'], ['block_sums'], 'conv_blocks', [{ name: 'kernel_shape', ints: [1, 1] }]));
    graph.message(
      1,
      nodeProto('Conv', ['block_sums', 'conv.s2d_combine', 'conv.bias'], ['conv_map'], 'conv_combine', [
        { name: 'kernel_shape', ints: [2, 2] },
        { name: 'group', int: c },
      ]),
    );
  }
  const minOut = hasFc ? 'min' : OUTPUT_NAME;
  // u8: min(x) + b = min(x + b), so the bias is added to C numbers instead of C·47² (the other graphs add it in Conv).
  const u8 = layout === 'u8';
  graph.message(
    1,
    nodeProto('ReduceMin', [u8 ? 'conv_nobias' : 'conv_map'], [u8 ? 'min_nobias' : minOut], 'min', [
      { name: 'axes', ints: u8 ? [2, 3, 4] : [2, 3] },
      { name: 'keepdims', int: 0 },
    ]),
  );
  if (u8 && digits === 1) {
    graph.message(1, nodeProto('Cast', ['min_nobias'], ['min_int_f'], 'to_float', [{ name: 'to', int: TensorDataType.FLOAT }]));
    graph.message(1, nodeProto('Mul', ['min_int_f', 'conv.u8_min_scales'], ['min_scaled'], 'scale'));
  }
  if (u8) graph.message(1, nodeProto('Add', [digits === 1 ? 'min_scaled' : 'min_nobias', 'conv.bias'], [minOut], 'bias'));
  if (hasFc) {
    graph.message(1, nodeProto('Gemm', ['min', 'fc.weight', 'fc.bias'], [OUTPUT_NAME], 'fc', [{ name: 'transB', int: 1 }]));
  }
  graph.string(2, name);
  if (layout === 'nchw') {
    graph.message(5, tensorProto('conv.weight', [c, 3, 7, 7], weights.convWeight));
  } else if (layout === 'u8') {
    graph.message(5, tensorProto('u8.flat_shape', [3], int64s(0, U8_CHANNELS, U8_POSITIONS)));
    graph.message(5, tensorProto('conv.u8_weight', [2 * c * digits, U8_CHANNELS], u8Weights(weights, digits)));
    graph.message(5, tensorProto('u8.zero_point', [], Uint8Array.of(U8_ZERO_POINT)));
    if (digits > 1) graph.message(5, tensorProto('conv.u8_scales', [2 * c, 2 * c * digits], u8DigitScales(weights, digits)));
    else graph.message(5, tensorProto('conv.u8_min_scales', [c], u8MinScales(weights)));
    graph.message(5, tensorProto('u8.row_shape', [5], int64s(0, c, 2, U8_ROWS, U8_COLS)));
    graph.message(5, tensorProto('u8.axes', [3], int64s(2, 3, 4)));
    graph.message(5, tensorProto('u8.top_start', [3], int64s(0, 0, 0)));
    graph.message(5, tensorProto('u8.top_end', [3], int64s(1, CONV_OUT, CONV_OUT)));
    graph.message(5, tensorProto('u8.bottom_start', [3], int64s(1, 1, 0)));
    graph.message(5, tensorProto('u8.bottom_end', [3], int64s(2, CONV_OUT + 1, CONV_OUT)));
  } else {
    graph.message(5, tensorProto('conv.s2d_weight', [4 * c, S2D_CHANNELS, 1, 1], s2dWeights(weights)));
    graph.message(5, tensorProto('conv.s2d_combine', [c, 4, 2, 2], s2dCombine(c)));
  }
  graph.message(5, tensorProto('conv.bias', [c], weights.convBias));
  if (hasFc) {
    graph.message(5, tensorProto('fc.weight', [1, c], weights.fcWeight as Float32Array));
    graph.message(5, tensorProto('fc.bias', [1], Float32Array.of(weights.fcBias ?? 0)));
  }
  graph.string(10, `FocusLiteNN, ${c} kernel${c > 1 ? 's' : ''}: per-patch score, higher = blurrier`);
  graph.message(11, valueInfo(INPUT_NAME, ['N', ...inputShape(layout, 1).slice(1)], inputType(layout) === 'uint8' ? TensorDataType.UINT8 : TensorDataType.FLOAT));
  graph.message(12, valueInfo(OUTPUT_NAME, ['N', 1]));

  const model = new ProtoWriter()
    .int(1, ONNX_IR_VERSION)
    .string(2, 'focuslite')
    .string(3, options.producerVersion ?? '1')
    .string(4, 'focuslite')
    .int(5, 1)
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, ONNX_OPSET));
  const meta: Record<string, string> = { name, architecture: architectureString(weights), kernels: String(c), input_layout: layout, ...options.metadata };
  for (const [k, v] of Object.entries(meta)) model.message(14, new ProtoWriter().string(1, k).string(2, v));
  return model.finish();
}

export function architectureString(w: FocusWeights): string {
  const fc = w.fcWeight ? ` -> Linear(${w.kernels}->1, bias)` : '';
  return `x/255 (RGB, NCHW, 235x235) -> Conv2d(3->${w.kernels}, 7x7, stride 5, pad 1, bias) -> min over 47x47${fc}`;
}
