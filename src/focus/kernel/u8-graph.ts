// Recognises the 'u8' FocusLiteNN graph this project's model builder writes (src/tools/model/onnx-builder.ts, one
// integer digit per weight: the shipped and `focuslite train` models) and reads its weights, so that u8-kernel.ts can
// run the same integer computation without onnxruntime. Anything else — another layout, three-digit weights, an
// edited graph, an unknown attribute — is not recognised and runs in onnxruntime as before.
//
// The check is strict on purpose: the kernel is only a faster way of computing this exact graph, node for node.

/** The integer weights and float tail of a recognised graph. */
export interface U8Graph {
  kernels: number;
  /** Per kernel, colour and kernel row: the 7 weights as integers, then 0 (i16x8 rows for the kernel). */
  weights: Int16Array;
  /** Per kernel: the factor from the integer minimum to the conv's units (conv.u8_min_scales). */
  minScales: Float32Array;
  bias: Float32Array;
  /** The Linear layer after the minimum, when the model has one (Gemm, transB = 1). */
  fc?: { weight: Float32Array; bias: number };
}

interface Tensor {
  dims: number[];
  type: number;
  data: Uint8Array;
}
interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, { i?: number; ints?: number[] }>;
}

const FLOAT = 1;
const UINT8 = 2;
const INT64 = 7;
const WINDOW = 105; // 3 colours × 5 rows × 7 columns (input-layout.ts 'u8')

/** The graph's weights when `onnx` is exactly a one-digit 'u8' FocusLiteNN graph, otherwise undefined. */
export function readU8Graph(onnx: Uint8Array): U8Graph | undefined {
  try {
    return recognise(onnx);
  } catch {
    return undefined; // malformed for this reader: onnxruntime decides what it is
  }
}

function recognise(onnx: Uint8Array): U8Graph | undefined {
  let graphBytes: Uint8Array | undefined;
  let opset: number | undefined;
  for (const f of fields(onnx)) {
    if (f.no === 7 && f.bytes) graphBytes = f.bytes;
    if (f.no === 8 && f.bytes) {
      let domain = '';
      let version = 0;
      for (const g of fields(f.bytes)) {
        if (g.no === 1 && g.bytes) domain = text(g.bytes);
        if (g.no === 2) version = g.int;
      }
      if (domain === '' || domain === 'ai.onnx') opset = version;
    }
  }
  // ReduceMin takes its axes as an attribute up to opset 17.
  if (!graphBytes || opset === undefined || opset < 13 || opset > 17) return undefined;
  const nodes: Node[] = [];
  const init = new Map<string, Tensor>();
  const inputs: { name: string; type: number; dims: (number | string)[] }[] = [];
  const outputs: string[] = [];
  for (const f of fields(graphBytes)) {
    if (!f.bytes) continue;
    if (f.no === 1) nodes.push(node(f.bytes));
    else if (f.no === 5) {
      const t = tensor(f.bytes);
      init.set(t.name, t);
    } else if (f.no === 11) inputs.push(valueInfo(f.bytes));
    else if (f.no === 12) outputs.push(valueInfo(f.bytes).name);
  }
  const realInputs = inputs.filter((i) => !init.has(i.name));
  const input = realInputs[0];
  if (realInputs.length !== 1 || !input || input.name !== 'input' || input.type !== UINT8) return undefined;
  if (input.dims.length !== 4 || input.dims.slice(1).join() !== '105,48,48') return undefined;
  if (outputs.join() !== 'score') return undefined;

  const hasFc = nodes.length === 11;
  const expected: [string, string[], string[], string?][] = [
    ['Reshape', ['input', 'u8.flat_shape'], ['windows']],
    ['MatMulInteger', ['conv.u8_weight', 'windows', 'u8.zero_point'], ['digit_sums']],
    ['Reshape', ['digit_sums', 'u8.row_shape'], ['row_sums4']],
    ['Slice', ['row_sums4', 'u8.top_start', 'u8.top_end', 'u8.axes'], ['top']],
    ['Slice', ['row_sums4', 'u8.bottom_start', 'u8.bottom_end', 'u8.axes'], ['bottom']],
    ['Add', ['top', 'bottom'], ['conv_nobias']],
    ['ReduceMin', ['conv_nobias'], ['min_nobias'], 'axes=2,3,4 keepdims=0'],
    ['Cast', ['min_nobias'], ['min_int_f'], `to=${FLOAT}`],
    ['Mul', ['min_int_f', 'conv.u8_min_scales'], ['min_scaled']],
    ['Add', ['min_scaled', 'conv.bias'], [hasFc ? 'min' : 'score']],
    ...(hasFc ? [['Gemm', ['min', 'fc.weight', 'fc.bias'], ['score'], 'transB=1'] as [string, string[], string[], string]] : []),
  ];
  if (nodes.length !== expected.length) return undefined;
  for (const [i, [op, ins, outs, attrs]] of expected.entries()) {
    const n = nodes[i]!;
    if (n.op !== op || n.inputs.join() !== ins.join() || n.outputs.join() !== outs.join() || attrText(n) !== (attrs ?? '')) return undefined;
  }

  const weight = init.get('conv.u8_weight');
  if (!weight || weight.type !== UINT8 || weight.dims.length !== 2 || weight.dims[1] !== WINDOW) return undefined;
  const kernels = weight.dims[0]! / 2;
  if (!Number.isInteger(kernels) || kernels < 1 || kernels > 64 || weight.data.length !== 2 * kernels * WINDOW) return undefined;
  const ints = (name: string, want: number[]) => {
    const t = init.get(name);
    return t !== undefined && t.type === INT64 && int64s(t.data).join() === want.join();
  };
  if (!ints('u8.flat_shape', [0, WINDOW, 48 * 48]) || !ints('u8.row_shape', [0, kernels, 2, 48, 48]) || !ints('u8.axes', [2, 3, 4])) return undefined;
  if (!ints('u8.top_start', [0, 0, 0]) || !ints('u8.top_end', [1, 47, 47]) || !ints('u8.bottom_start', [1, 1, 0]) || !ints('u8.bottom_end', [2, 48, 47])) return undefined;
  const zero = init.get('u8.zero_point');
  if (!zero || zero.type !== UINT8 || zero.dims.length !== 0 || zero.data.length !== 1 || zero.data[0] !== 128) return undefined;
  const minScales = floats(init.get('conv.u8_min_scales'), [kernels]);
  const bias = floats(init.get('conv.bias'), [kernels]);
  if (!minScales || !bias) return undefined;
  let fc: U8Graph['fc'];
  if (hasFc) {
    const w = floats(init.get('fc.weight'), [1, kernels]);
    const b = floats(init.get('fc.bias'), [1]);
    if (!w || !b) return undefined;
    fc = { weight: w, bias: b[0]! };
  }

  // Row (k·2 + dy) of conv.u8_weight holds kernel rows 5·dy…: rows 0–4 from the block row, 5–6 from the next one.
  // The next block row's window rows 2–4 are not kernel rows: the graph only computes a 7×7 conv when they are 0.
  const weights = new Int16Array(kernels * 3 * 7 * 8);
  for (let k = 0; k < kernels; k++)
    for (let dy = 0; dy < 2; dy++)
      for (let c = 0; c < 3; c++)
        for (let r = 0; r < 5; r++)
          for (let x = 0; x < 7; x++) {
            const d = weight.data[(k * 2 + dy) * WINDOW + c * 35 + r * 7 + x]! - 128;
            const ky = dy * 5 + r;
            if (ky > 6) {
              if (d !== 0) return undefined;
              continue;
            }
            weights[((k * 3 + c) * 7 + ky) * 8 + x] = d;
          }
  return { kernels, weights, minScales, bias, ...(fc ? { fc } : {}) };
}

function attrText(n: Node): string {
  return [...n.attrs].map(([k, v]) => `${k}=${v.ints ? v.ints.join() : v.i}`).join(' ');
}

function floats(t: Tensor | undefined, dims: number[]): Float32Array | undefined {
  if (!t || t.type !== FLOAT || t.dims.join() !== dims.join() || t.data.length !== dims.reduce((a, b) => a * b, 1) * 4) return undefined;
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return Float32Array.from({ length: t.data.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

function int64s(data: Uint8Array): number[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return Array.from({ length: data.length / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
}

function node(bytes: Uint8Array): Node {
  const n: Node = { op: '', inputs: [], outputs: [], attrs: new Map() };
  for (const f of fields(bytes)) {
    if (!f.bytes) continue;
    if (f.no === 1) n.inputs.push(text(f.bytes));
    else if (f.no === 2) n.outputs.push(text(f.bytes));
    else if (f.no === 4) n.op = text(f.bytes);
    else if (f.no === 5) {
      let name = '';
      const value: { i?: number; ints?: number[] } = {};
      for (const g of fields(f.bytes)) {
        if (g.no === 1 && g.bytes) name = text(g.bytes);
        else if (g.no === 3) value.i = g.int;
        else if (g.no === 8) (value.ints ??= []).push(...(g.bytes ? varints(g.bytes) : [g.int]));
        else if (g.no !== 20) throw new Error('unsupported attribute value');
      }
      n.attrs.set(name, value);
    }
  }
  return n;
}

function tensor(bytes: Uint8Array): Tensor & { name: string } {
  const t: Tensor & { name: string } = { name: '', dims: [], type: 0, data: new Uint8Array(0) };
  for (const f of fields(bytes)) {
    if (f.no === 1) t.dims.push(...(f.bytes ? varints(f.bytes) : [f.int]));
    else if (f.no === 2) t.type = f.int;
    else if (f.no === 8 && f.bytes) t.name = text(f.bytes);
    else if (f.no === 9 && f.bytes) t.data = f.bytes;
    else if (f.no !== 3 && f.no !== 12) throw new Error('tensor data outside raw_data'); // not what the builder writes
  }
  return t;
}

function valueInfo(bytes: Uint8Array): { name: string; type: number; dims: (number | string)[] } {
  const v = { name: '', type: 0, dims: [] as (number | string)[] };
  for (const f of fields(bytes)) {
    if (f.no === 1 && f.bytes) v.name = text(f.bytes);
    if (f.no !== 2 || !f.bytes) continue;
    for (const tp of fields(f.bytes)) {
      if (tp.no !== 1 || !tp.bytes) continue; // tensor_type
      for (const tt of fields(tp.bytes)) {
        if (tt.no === 1) v.type = tt.int;
        if (tt.no === 2 && tt.bytes)
          for (const d of fields(tt.bytes))
            if (d.no === 1 && d.bytes)
              for (const dim of fields(d.bytes)) v.dims.push(dim.no === 1 ? dim.int : dim.bytes ? text(dim.bytes) : '?');
      }
    }
  }
  return v;
}

interface Field {
  no: number;
  int: number;
  bytes?: Uint8Array;
}

/** The fields of a protobuf message (varints up to 2^53, length-delimited, 32/64-bit fixed skipped). */
function* fields(buf: Uint8Array): Generator<Field> {
  let p = 0;
  const varint = () => {
    let v = 0;
    let scale = 1;
    for (;;) {
      if (p >= buf.length) throw new Error('truncated');
      const b = buf[p++]!;
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
      if (scale > 2 ** 63) throw new Error('varint too long');
    }
  };
  while (p < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      let v = varint();
      if (v >= 2 ** 63) v -= 2 ** 64; // negative int64
      yield { no, int: v };
    } else if (wire === 2) {
      const len = varint();
      if (p + len > buf.length) throw new Error('truncated');
      yield { no, int: 0, bytes: buf.subarray(p, p + len) };
      p += len;
    } else if (wire === 5) p += 4;
    else if (wire === 1) p += 8;
    else throw new Error(`wire type ${wire}`);
  }
}

function varints(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (const f of fields(packedAsFields(bytes))) out.push(f.int);
  return out;
}

/** A packed varint run, re-keyed as field 1 varints so `fields` can read it. */
function packedAsFields(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (i === 0 || (bytes[i - 1]! & 0x80) === 0) out.push(0x08);
    out.push(bytes[i]!);
  }
  return Uint8Array.from(out);
}

const decoder = new TextDecoder();
function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
