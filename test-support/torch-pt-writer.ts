// Writes PyTorch checkpoints (legacy and zip format, as torch.save does; layouts described in
// src/tools/model/pt/torch-pt.ts) of FocusLiteNN weights, for tests of the reader and of the CLI.
import { LEGACY_MAGIC, LEGACY_PROTOCOL_VERSION } from '../src/tools/model/pt/torch-pt.ts';
import type { FocusWeights } from '../src/tools/model/weights.ts';
import { Dict, Global, Long, PersistentId, PickleWriter, Reduce, Tuple, type PickleValue } from './pickle-writer.ts';
import { concat, writeZip } from './zip-writer.ts';

export interface TorchWriteOptions {
  /** Prefix every name with `module.` (as a DataParallel-wrapped model saves). */
  modulePrefix?: boolean;
  /** Save `{'state_dict': state_dict}` rather than the bare state dict. */
  wrapInStateDict?: boolean;
  /** Zip only: the archive folder name (torch uses the file stem, or "archive" for streams). */
  archiveName?: string;
  /** Legacy only: storage keys in tensor order (torch uses storage._cdata pointers); for byte-exact comparisons. */
  storageKeys?: string[];
}

interface NamedValues {
  name: string;
  shape: number[];
  values: Float32Array;
}

function namedTensors(w: FocusWeights): NamedValues[] {
  const out: NamedValues[] = [
    { name: 'conv.weight', shape: [w.kernels, 3, 7, 7], values: w.convWeight },
    { name: 'conv.bias', shape: [w.kernels], values: w.convBias },
  ];
  if (w.fcWeight) {
    out.push({ name: 'fc.weight', shape: [1, w.kernels, 1, 1], values: w.fcWeight });
    out.push({ name: 'fc.bias', shape: [1], values: Float32Array.of(w.fcBias ?? 0) });
  }
  return out;
}

function contiguousStride(shape: number[]): number[] {
  const stride = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    stride[d] = s;
    s *= shape[d] as number;
  }
  return stride;
}

function stateDictPickle(w: FocusWeights, opts: TorchWriteOptions, pidFor: (t: NamedValues, index: number) => Tuple): PickleValue {
  const prefix = opts.modulePrefix ? 'module.' : '';
  const orderedDict = new Global('collections', 'OrderedDict');
  const items: [PickleValue, PickleValue][] = namedTensors(w).map((t, i) => [
    prefix + t.name,
    new Reduce(
      new Global('torch._utils', '_rebuild_tensor_v2'),
      new Tuple([new PersistentId(pidFor(t, i)), 0, new Tuple(t.shape), new Tuple(contiguousStride(t.shape)), false, new Reduce(orderedDict, new Tuple([]))]),
    ),
  ]);
  const modules = ['', ...(opts.modulePrefix ? ['module'] : []), `${prefix}conv`, ...(w.fcWeight ? [`${prefix}fc`] : [])];
  const metadata = new Reduce(
    orderedDict,
    new Tuple([]),
    modules.map((m) => [m, new Dict([['version', 1]])]),
  );
  const sd = new Reduce(orderedDict, new Tuple([]), items, new Dict([['_metadata', metadata]]));
  return opts.wrapInStateDict ? new Dict([['state_dict', sd]]) : sd;
}

function float32Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return out;
}

export function writeTorchLegacy(w: FocusWeights, opts: TorchWriteOptions = {}): Uint8Array {
  const keys: string[] = [];
  const data: Float32Array[] = [];
  const main = stateDictPickle(w, opts, (t, i) => {
    // Stand-ins for storage._cdata pointers; same length, so string order is numeric order.
    const key = opts.storageKeys?.[i] ?? String(94_000_000_000_000 + i * 4096);
    keys.push(key);
    data.push(t.values);
    return new Tuple(['storage', new Global('torch', 'FloatStorage'), key, 'cpu', t.values.length, null]);
  });
  const parts: Uint8Array[] = [
    PickleWriter.dump(new Long(LEGACY_MAGIC)),
    PickleWriter.dump(LEGACY_PROTOCOL_VERSION),
    PickleWriter.dump(
      new Dict([
        ['protocol_version', LEGACY_PROTOCOL_VERSION],
        ['little_endian', true],
        ['type_sizes', new Dict([['short', 2], ['int', 4], ['long', 4]])],
      ]),
    ),
    PickleWriter.dump(main),
  ];
  const order = keys.map((k, i) => [k, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  parts.push(PickleWriter.dump(order.map(([k]) => k)));
  for (const [, i] of order) {
    const values = data[i] as Float32Array;
    const header = new Uint8Array(8);
    new DataView(header.buffer).setBigInt64(0, BigInt(values.length), true);
    parts.push(header, float32Bytes(values));
  }
  return concat(parts);
}

export function writeTorchZip(w: FocusWeights, opts: TorchWriteOptions = {}): Uint8Array {
  const archive = opts.archiveName ?? 'archive';
  const storages: Uint8Array[] = [];
  const main = stateDictPickle(w, opts, (t, i) => {
    storages.push(float32Bytes(t.values));
    return new Tuple(['storage', new Global('torch', 'FloatStorage'), String(i), 'cpu', t.values.length]);
  });
  const enc = new TextEncoder();
  const keys = storages.map((_, i) => String(i)).sort();
  return writeZip([
    { name: `${archive}/data.pkl`, data: PickleWriter.dump(main) },
    { name: `${archive}/byteorder`, data: enc.encode('little') },
    ...keys.map((k) => ({ name: `${archive}/data/${k}`, data: storages[Number(k)] as Uint8Array })),
    { name: `${archive}/version`, data: enc.encode('3\n') },
  ]);
}
