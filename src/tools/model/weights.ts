// FocusLiteNN weights: our own JSON format, the shared tensors JSON, and PyTorch .pt checkpoints (see torch-pt.ts).
// No Node or DOM APIs: used by the CLI, the trainer and the app's workers alike.
import { readTorchCheckpoint, type TorchTensor } from './pt/torch-pt.ts';

export interface FocusWeights {
  /** Number of conv kernels C (1, 2 or 10 for the released models). */
  kernels: number;
  /** [C,3,7,7], row-major (PyTorch layout). */
  convWeight: Float32Array;
  /** [C] */
  convBias: Float32Array;
  /** [C]: the 1×1 linear layer C→1; required when C > 1, optional (usually absent) when C = 1. */
  fcWeight?: Float32Array;
  fcBias?: number;
}

export type WeightsFormat = 'focuslite-json' | 'tensors-json' | 'torch-legacy' | 'torch-zip';

export interface LoadedWeights extends FocusWeights {
  format: WeightsFormat;
  /** Extra fields of our JSON format, or what the checkpoint said about itself. */
  metadata: Record<string, unknown>;
}

export const WEIGHTS_FORMAT_ID = 'focuslite-weights/1';
export const KERNEL_SIZE = 7;
export const IN_CHANNELS = 3;
const KERNEL_VALUES = IN_CHANNELS * KERNEL_SIZE * KERNEL_SIZE;

export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsError';
  }
}

/** Throws a WeightsError naming the first inconsistency. */
export function validateWeights(w: FocusWeights): void {
  const c = w.kernels;
  if (!Number.isInteger(c) || c < 1) throw new WeightsError(`kernels must be a positive integer, got ${c}`);
  if (w.convWeight.length !== c * KERNEL_VALUES) {
    throw new WeightsError(`convWeight has ${w.convWeight.length} values, expected ${c}×3×7×7 = ${c * KERNEL_VALUES}`);
  }
  if (w.convBias.length !== c) throw new WeightsError(`convBias has ${w.convBias.length} values, expected ${c}`);
  if (w.fcWeight !== undefined) {
    if (w.fcWeight.length !== c) throw new WeightsError(`fcWeight has ${w.fcWeight.length} values, expected ${c}`);
    if (typeof w.fcBias !== 'number') throw new WeightsError('fcWeight is given but fcBias is missing');
  } else if (c > 1) {
    throw new WeightsError(`a ${c}-kernel model needs fcWeight [${c}] and fcBias`);
  }
  const all = [w.convWeight, w.convBias, w.fcWeight ?? new Float32Array(0), new Float32Array([w.fcBias ?? 0])];
  for (const arr of all) for (const v of arr) if (!Number.isFinite(v)) throw new WeightsError('weights contain NaN or infinity');
}

/** Number of trainable parameters (148, 299 and 1,491 for C = 1, 2, 10). */
export function parameterCount(w: FocusWeights): number {
  return w.convWeight.length + w.convBias.length + (w.fcWeight ? w.fcWeight.length + 1 : 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Our JSON format

/**
 * Serialises weights as `{"format":"focuslite-weights/1","kernels":C,"convWeight":[...],"convBias":[...],
 * "fcWeight":[...],"fcBias":x, ...metadata}`. Values are written as the doubles equal to the float32 values, which
 * read back bit-exactly. Metadata keys must not collide with the weight fields.
 */
export function writeWeightsJson(w: FocusWeights, metadata: Record<string, unknown> = {}): string {
  validateWeights(w);
  const reserved = ['format', 'kernels', 'convWeight', 'convBias', 'fcWeight', 'fcBias'];
  for (const key of Object.keys(metadata)) {
    if (reserved.includes(key)) throw new WeightsError(`metadata key '${key}' is reserved for the weights`);
  }
  const out: Record<string, unknown> = {
    format: WEIGHTS_FORMAT_ID,
    kernels: w.kernels,
    convWeight: Array.from(w.convWeight),
    convBias: Array.from(w.convBias),
  };
  if (w.fcWeight) {
    out.fcWeight = Array.from(w.fcWeight);
    out.fcBias = Math.fround(w.fcBias ?? 0);
  }
  Object.assign(out, metadata);
  return JSON.stringify(out, null, 1) + '\n';
}

/** Parses our JSON format (text or an already parsed object). */
export function parseWeightsJson(input: string | unknown): LoadedWeights {
  const obj = typeof input === 'string' ? parseJsonText(input) : input;
  if (!isRecord(obj) || obj.format !== WEIGHTS_FORMAT_ID) {
    throw new WeightsError(`not a ${WEIGHTS_FORMAT_ID} file (its "format" field is ${JSON.stringify(isRecord(obj) ? obj.format : undefined)})`);
  }
  const { format: _format, kernels, convWeight, convBias, fcWeight, fcBias, ...metadata } = obj;
  if (typeof kernels !== 'number') throw new WeightsError('"kernels" must be a number');
  const w: FocusWeights = {
    kernels,
    convWeight: numberArray(convWeight, 'convWeight'),
    convBias: numberArray(convBias, 'convBias'),
  };
  if (fcWeight !== undefined && fcWeight !== null) {
    w.fcWeight = numberArray(fcWeight, 'fcWeight');
    if (typeof fcBias !== 'number') throw new WeightsError('"fcBias" must be a number when "fcWeight" is given');
    w.fcBias = Math.fround(fcBias);
  }
  validateWeights(w);
  return { ...w, format: 'focuslite-json', metadata };
}

// ---------------------------------------------------------------------------------------------------------------
// Named tensors (shared JSON format and PyTorch state dicts)

export interface NamedTensor {
  shape: number[];
  values: Float32Array;
}

/**
 * Maps a FocusLiteNN state dict (`conv.weight` [C,3,7,7], `conv.bias` [C], `fc.weight` [1,C,1,1] or [1,C],
 * `fc.bias` [1]) to FocusWeights. Names may carry any number of `module.` prefixes (DataParallel).
 */
export function weightsFromStateDict(tensors: Map<string, NamedTensor>): FocusWeights {
  const byName = new Map<string, NamedTensor>();
  for (const [name, t] of tensors) byName.set(name.replace(/^(module\.)+/, ''), t);
  const convW = byName.get('conv.weight');
  const convB = byName.get('conv.bias');
  if (!convW || !convB) {
    const names = [...tensors.keys()].join(', ') || 'none';
    throw new WeightsError(`no FocusLiteNN conv.weight/conv.bias tensors found (tensors: ${names})`);
  }
  const [c, cin, kh, kw] = convW.shape;
  if (convW.shape.length !== 4 || cin !== IN_CHANNELS || kh !== KERNEL_SIZE || kw !== KERNEL_SIZE || c === undefined) {
    throw new WeightsError(`conv.weight has shape [${convW.shape}], expected [C,3,7,7]`);
  }
  const w: FocusWeights = { kernels: c, convWeight: convW.values, convBias: convB.values };
  const fcW = byName.get('fc.weight');
  const fcB = byName.get('fc.bias');
  if (fcW) {
    if (fcW.values.length !== c || fcW.shape[0] !== 1) throw new WeightsError(`fc.weight has shape [${fcW.shape}], expected [1,${c},1,1]`);
    if (!fcB || fcB.values.length !== 1) throw new WeightsError('fc.weight is present but fc.bias [1] is not');
    w.fcWeight = fcW.values;
    w.fcBias = fcB.values[0];
  }
  validateWeights(w);
  return w;
}

/** Parses `{"tensors": {name: {"shape": [...], "dtype": "float32", "values": [...]}}}`. */
export function parseTensorsJson(input: string | unknown): LoadedWeights {
  const obj = typeof input === 'string' ? parseJsonText(input) : input;
  if (!isRecord(obj) || !isRecord(obj.tensors)) throw new WeightsError('not a tensors JSON file (no "tensors" object)');
  const tensors = new Map<string, NamedTensor>();
  for (const [name, t] of Object.entries(obj.tensors)) {
    if (!isRecord(t) || !Array.isArray(t.shape)) throw new WeightsError(`tensor '${name}' has no shape`);
    if (t.dtype !== undefined && t.dtype !== 'float32' && t.dtype !== 'float64') {
      throw new WeightsError(`tensor '${name}' has dtype ${String(t.dtype)}; only float32/float64 are supported`);
    }
    const shape = t.shape.map((d) => Number(d));
    const values = numberArray(t.values, name);
    if (values.length !== shape.reduce((a, b) => a * b, 1)) throw new WeightsError(`tensor '${name}' has ${values.length} values for shape [${shape}]`);
    tensors.set(name, { shape, values });
  }
  const { tensors: _t, ...metadata } = obj;
  return { ...weightsFromStateDict(tensors), format: 'tensors-json', metadata };
}

// ---------------------------------------------------------------------------------------------------------------
// Detection by content

/** Which weights format `bytes` holds, judged by content (not the file name). */
export function detectWeightsFormat(bytes: Uint8Array): WeightsFormat | undefined {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'torch-zip';
  if (bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] >= 2 && bytes[1] <= 5) return 'torch-legacy';
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] !== 0x7b /* { */) return undefined;
  // Peek without parsing twice: our format names itself, the tensors format has "tensors".
  const text = new TextDecoder().decode(bytes.subarray(i, Math.min(bytes.length, i + 4096)));
  if (text.includes(`"${WEIGHTS_FORMAT_ID}"`)) return 'focuslite-json';
  return 'tensors-json';
}

/** Loads weights in any supported format. `name` is only used in error messages. */
export function loadWeights(bytes: Uint8Array, name = 'weights'): LoadedWeights {
  const format = detectWeightsFormat(bytes);
  try {
    switch (format) {
      case 'torch-zip':
      case 'torch-legacy': {
        const ckpt = readTorchCheckpoint(bytes);
        const w = weightsFromStateDict(stateDictTensors(ckpt.stateDict));
        return { ...w, format: ckpt.format, metadata: { ...ckpt.metadata } };
      }
      case 'focuslite-json':
      case 'tensors-json': {
        const obj = parseJsonText(new TextDecoder().decode(bytes));
        if (isRecord(obj) && obj.format === WEIGHTS_FORMAT_ID) return parseWeightsJson(obj);
        if (isRecord(obj) && isRecord(obj.tensors)) return parseTensorsJson(obj);
        throw new WeightsError(`JSON is neither ${WEIGHTS_FORMAT_ID} nor a {"tensors": ...} file`);
      }
      default:
        throw new WeightsError('unrecognised content: expected focuslite-weights JSON, tensors JSON, or a PyTorch .pt checkpoint');
    }
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new WeightsError(`${name}: ${msg}`);
  }
}

function stateDictTensors(sd: Map<string, TorchTensor>): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const [name, t] of sd) out.set(name, { shape: t.shape, values: t.values });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new WeightsError(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function numberArray(v: unknown, name: string): Float32Array {
  if (!Array.isArray(v)) throw new WeightsError(`"${name}" must be an array of numbers`);
  const flat = v.flat(Infinity) as unknown[];
  const out = new Float32Array(flat.length);
  flat.forEach((x, i) => {
    if (typeof x !== 'number') throw new WeightsError(`"${name}"[${i}] is not a number`);
    out[i] = x;
  });
  return out;
}
