// PyTorch checkpoints (torch.save) without Python: the legacy format and the zip format, read (the writers tests use
// are in test-support/torch-pt-writer.ts).
//
// Legacy (torch.save(obj, f, _use_new_zipfile_serialization=False), pickle protocol 2), five pickles then raw data:
//   1. the magic number 0x1950a86a20f9469cfc6c (LONG1)   2. the protocol version 1001
//   3. sys_info {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {'short': 2, 'int': 4, 'long': 4}}
//   4. the object; each tensor is REDUCE(torch._utils._rebuild_tensor_v2, (storage, offset, size, stride,
//      requires_grad, OrderedDict())) whose storage is a persistent id
//      ('storage', torch.FloatStorage, key, 'cpu', numel, None) (BINPERSID), key = str(storage._cdata)
//   5. the sorted list of storage keys
//   then, per key in that order: int64 little-endian element count, then the elements (float32 little-endian).
// Zip (the default since PyTorch 1.6): stored entries `<archive>/data.pkl` (the object, as 4. but with the
// persistent id ('storage', torch.FloatStorage, key, 'cpu', numel) and keys '0', '1', …), `<archive>/byteorder`
// ("little"), `<archive>/data/<key>` (raw elements), `<archive>/version` ("3\n"); <archive> is the file's stem or
// "archive". Entry data is 64-byte aligned (zip.ts).
// A state dict is an OrderedDict: REDUCE(collections.OrderedDict, ()), SETITEMS of (name, tensor), then BUILD with
// {'_metadata': OrderedDict(prefix → {'version': 1})}.
import { PickleError, PickleGlobal, PickleObject, readPickle } from './pickle.ts';
import { listZip, zipEntryData } from './zip.ts';

export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
export const LEGACY_PROTOCOL_VERSION = 1001;

export interface TorchTensor {
  shape: number[];
  dtype: string;
  /** Values in row-major order of `shape` (strides applied), converted to float32. */
  values: Float32Array;
}

export interface TorchCheckpoint {
  format: 'torch-legacy' | 'torch-zip';
  /** Tensors of the state dict, names as stored (may carry `module.`). */
  stateDict: Map<string, TorchTensor>;
  metadata: Record<string, unknown>;
}

const STORAGE_DTYPES: Record<string, { dtype: string; size: number }> = {
  FloatStorage: { dtype: 'float32', size: 4 },
  DoubleStorage: { dtype: 'float64', size: 8 },
  HalfStorage: { dtype: 'float16', size: 2 },
  BFloat16Storage: { dtype: 'bfloat16', size: 2 },
  LongStorage: { dtype: 'int64', size: 8 },
  IntStorage: { dtype: 'int32', size: 4 },
  ShortStorage: { dtype: 'int16', size: 2 },
  CharStorage: { dtype: 'int8', size: 1 },
  ByteStorage: { dtype: 'uint8', size: 1 },
  BoolStorage: { dtype: 'bool', size: 1 },
};

class Storage {
  data: Uint8Array | undefined;
  constructor(
    readonly key: string,
    readonly dtype: string,
    readonly elementSize: number,
    readonly numel: number,
  ) {}
}

class TensorRef {
  constructor(
    readonly storage: Storage,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

function storageFromPid(pid: unknown, storages: Map<string, Storage>): Storage {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || !(pid[1] instanceof PickleGlobal)) {
    throw new PickleError(`unsupported persistent id ${JSON.stringify(pid)}`);
  }
  const cls = pid[1].name;
  const info = STORAGE_DTYPES[cls];
  if (!info) throw new PickleError(`unsupported storage type torch.${cls}`);
  const key = String(pid[2]);
  const numel = Number(pid[4]);
  const viewMetadata = pid[5];
  if (viewMetadata !== undefined && viewMetadata !== null) throw new PickleError('storage views (legacy view_metadata) are not supported');
  let s = storages.get(key);
  if (!s) {
    s = new Storage(key, info.dtype, info.size, numel);
    storages.set(key, s);
  }
  return s;
}

function reduceTorch(callable: PickleGlobal, args: unknown[]): unknown {
  switch (callable.qualified) {
    case 'collections.OrderedDict': {
      const m = new Map<unknown, unknown>();
      const pairs = args[0];
      if (Array.isArray(pairs)) for (const kv of pairs) if (Array.isArray(kv)) m.set(kv[0], kv[1]);
      return m;
    }
    case 'torch._utils._rebuild_tensor':
    case 'torch._utils._rebuild_tensor_v2': {
      const [storage, offset, size, stride] = args;
      if (!(storage instanceof Storage) || !Array.isArray(size) || !Array.isArray(stride)) {
        throw new PickleError('malformed _rebuild_tensor arguments');
      }
      return new TensorRef(storage, Number(offset), size.map(Number), stride.map(Number));
    }
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state':
      return args[0];
    default:
      return undefined;
  }
}

function materialize(t: TensorRef): TorchTensor {
  const { storage, offset, shape, stride } = t;
  const data = storage.data;
  if (!data) throw new PickleError(`storage ${storage.key} has no data`);
  const n = shape.reduce((a, b) => a * b, 1);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const es = storage.elementSize;
  const read = (i: number): number => {
    const p = i * es;
    if (p + es > data.length) throw new PickleError(`tensor reads past the end of storage ${storage.key}`);
    switch (storage.dtype) {
      case 'float32':
        return dv.getFloat32(p, true);
      case 'float64':
        return dv.getFloat64(p, true);
      case 'float16':
        return halfToFloat(dv.getUint16(p, true));
      case 'bfloat16': {
        const b = new DataView(new ArrayBuffer(4));
        b.setUint32(0, dv.getUint16(p, true) << 16);
        return b.getFloat32(0);
      }
      case 'int64':
        return Number(dv.getBigInt64(p, true));
      case 'int32':
        return dv.getInt32(p, true);
      case 'int16':
        return dv.getInt16(p, true);
      case 'int8':
        return dv.getInt8(p);
      default:
        return dv.getUint8(p);
    }
  };
  const values = new Float32Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let p = offset;
    for (let d = 0; d < shape.length; d++) p += (idx[d] as number) * (stride[d] as number);
    values[k] = read(p);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (shape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return { shape, dtype: storage.dtype, values };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** The state dict inside a checkpoint: the top-level dict, or the dict under a well-known key. */
function findStateDict(root: unknown): Map<unknown, unknown> {
  if (root instanceof PickleObject) {
    throw new PickleError(`the checkpoint holds a pickled ${describe(root.callable)} object, not a state dict; save model.state_dict() instead`);
  }
  if (!(root instanceof Map)) throw new PickleError('the checkpoint does not hold a dict');
  const hasTensors = (m: Map<unknown, unknown>) => [...m.values()].some((v) => v instanceof TensorRef);
  if (hasTensors(root)) return root;
  for (const key of ['state_dict', 'model_state_dict', 'model', 'net', 'network']) {
    const v = root.get(key);
    if (v instanceof Map && hasTensors(v)) return v;
    if (v instanceof PickleObject) throw new PickleError(`'${key}' holds a pickled ${describe(v.callable)} object, not a state dict`);
  }
  throw new PickleError(`no state dict found (top-level keys: ${[...root.keys()].map(String).join(', ')})`);
}

function describe(callable: unknown): string {
  return callable instanceof PickleGlobal ? callable.qualified : 'Python';
}

function collect(root: unknown, format: TorchCheckpoint['format'], metadata: Record<string, unknown>): TorchCheckpoint {
  const sd = findStateDict(root);
  const stateDict = new Map<string, TorchTensor>();
  for (const [k, v] of sd) if (v instanceof TensorRef) stateDict.set(String(k), materialize(v));
  if (root instanceof Map) metadata.topLevelKeys = [...root.keys()].map(String);
  return { format, stateDict, metadata };
}

export function readTorchCheckpoint(bytes: Uint8Array): TorchCheckpoint {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return readZipCheckpoint(bytes);
  return readLegacyCheckpoint(bytes);
}

function readLegacyCheckpoint(bytes: Uint8Array): TorchCheckpoint {
  const magic = readPickle(bytes, 0);
  if (magic.value !== LEGACY_MAGIC) throw new PickleError('not a PyTorch checkpoint (legacy magic number missing)');
  const version = readPickle(bytes, magic.end);
  if (version.value !== LEGACY_PROTOCOL_VERSION) throw new PickleError(`unsupported legacy protocol version ${String(version.value)}`);
  const sysInfo = readPickle(bytes, version.end);
  if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) throw new PickleError('big-endian checkpoints are not supported');
  const storages = new Map<string, Storage>();
  const main = readPickle(bytes, sysInfo.end, {
    persistentLoad: (pid) => storageFromPid(pid, storages),
    reduce: reduceTorch,
  });
  const keys = readPickle(bytes, main.end);
  if (!Array.isArray(keys.value)) throw new PickleError('legacy checkpoint: storage key list missing');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keys.end;
  for (const key of keys.value) {
    const s = storages.get(String(key));
    if (!s) throw new PickleError(`legacy checkpoint: unknown storage key ${String(key)}`);
    if (pos + 8 > bytes.length) throw new PickleError('legacy checkpoint: storage data truncated');
    const numel = Number(dv.getBigInt64(pos, true));
    pos += 8;
    const n = numel * s.elementSize;
    if (pos + n > bytes.length) throw new PickleError('legacy checkpoint: storage data truncated');
    s.data = bytes.subarray(pos, pos + n);
    pos += n;
  }
  return collect(main.value, 'torch-legacy', { protocolVersion: LEGACY_PROTOCOL_VERSION });
}

function readZipCheckpoint(bytes: Uint8Array): TorchCheckpoint {
  const entries = listZip(bytes);
  const pkl = entries.find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (!pkl) throw new PickleError(`zip has no data.pkl (entries: ${entries.map((e) => e.name).join(', ')})`);
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const byteorder = byName.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(zipEntryData(bytes, byteorder)).trim() !== 'little') {
    throw new PickleError('big-endian checkpoints are not supported');
  }
  const storages = new Map<string, Storage>();
  const main = readPickle(zipEntryData(bytes, pkl), 0, {
    persistentLoad: (pid) => {
      const s = storageFromPid(pid, storages);
      if (!s.data) {
        const e = byName.get(`${prefix}data/${s.key}`);
        if (!e) throw new PickleError(`zip has no ${prefix}data/${s.key}`);
        s.data = zipEntryData(bytes, e);
      }
      return s;
    },
    reduce: reduceTorch,
  });
  const version = byName.get(`${prefix}version`) ?? byName.get(`${prefix}.data/version`);
  const metadata: Record<string, unknown> = { archive: prefix.replace(/\/$/, '') };
  if (version) metadata.zipVersion = new TextDecoder().decode(zipEntryData(bytes, version)).trim();
  return collect(main.value, 'torch-zip', metadata);
}
