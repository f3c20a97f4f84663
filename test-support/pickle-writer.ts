// A Python pickle writer (protocol 2, as torch.save writes), memoising like CPython's Pickler (BINPUT after every
// string, tuple, dict, list, global and REDUCE result; BINGET when the same string or global appears again). For tests
// of the reader in src/tools/model/pt/pickle.ts.
import { PickleError } from '../src/tools/model/pt/pickle.ts';


export class Tuple {
  constructor(readonly items: PickleValue[]) {}
}
export class Global {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}
/** `callable(*args)`, then optional dict items (SETITEMS) and state (BUILD), as pickle's save_reduce writes them. */
export class Reduce {
  constructor(
    readonly callable: Global,
    readonly args: Tuple,
    readonly dictItems?: [PickleValue, PickleValue][],
    readonly state?: PickleValue,
  ) {}
}
/** A persistent id: pickled as the tuple, then BINPERSID. */
export class PersistentId {
  constructor(readonly pid: Tuple) {}
}
export class Dict {
  constructor(readonly items: [PickleValue, PickleValue][]) {}
}
export class Long {
  constructor(readonly value: bigint) {}
}
export type PickleValue = null | boolean | number | string | Long | Tuple | PickleValue[] | Dict | Global | Reduce | PersistentId;

export class PickleWriter {
  private chunks: number[] = [];
  private memo = new Map<string, number>();

  /** One complete pickle: PROTO 2, the value, STOP. Each dump has its own memo, as each pickle.dump call does. */
  static dump(value: PickleValue): Uint8Array {
    const w = new PickleWriter();
    w.chunks.push(0x80, 2);
    w.save(value);
    w.chunks.push(0x2e);
    return Uint8Array.from(w.chunks);
  }

  private put(key: string | undefined) {
    const idx = this.memo.size;
    this.memo.set(key ?? `#${idx}`, idx);
    if (idx < 256) this.chunks.push(0x71, idx);
    else this.chunks.push(0x72, ...le32(idx));
  }

  private get(key: string): boolean {
    const idx = this.memo.get(key);
    if (idx === undefined) return false;
    if (idx < 256) this.chunks.push(0x68, idx);
    else this.chunks.push(0x6a, ...le32(idx));
    return true;
  }

  private save(v: PickleValue): void {
    const c = this.chunks;
    if (v === null) c.push(0x4e);
    else if (v === true) c.push(0x88);
    else if (v === false) c.push(0x89);
    else if (typeof v === 'number') this.saveInt(v);
    else if (typeof v === 'string') {
      if (this.get(`s:${v}`)) return;
      const b = new TextEncoder().encode(v);
      c.push(0x58, ...le32(b.length), ...b);
      this.put(`s:${v}`);
    } else if (v instanceof Long) {
      c.push(0x8a, ...encodeLong(v.value));
    } else if (v instanceof Global) {
      const key = `g:${v.module}\n${v.name}`;
      if (this.get(key)) return;
      c.push(0x63, ...new TextEncoder().encode(`${v.module}\n${v.name}\n`));
      this.put(key);
    } else if (v instanceof Tuple) {
      const n = v.items.length;
      if (n === 0) {
        c.push(0x29);
        return;
      }
      if (n <= 3) {
        for (const x of v.items) this.save(x);
        c.push(0x84 + n); // TUPLE1..3
      } else {
        c.push(0x28);
        for (const x of v.items) this.save(x);
        c.push(0x74);
      }
      this.put(undefined);
    } else if (Array.isArray(v)) {
      c.push(0x5d);
      this.put(undefined);
      this.batch(v.map((x) => [x]), 0x61, 0x65);
    } else if (v instanceof Dict) {
      c.push(0x7d);
      this.put(undefined);
      this.batch(v.items, 0x73, 0x75);
    } else if (v instanceof Reduce) {
      this.save(v.callable);
      this.save(v.args);
      c.push(0x52);
      this.put(undefined);
      if (v.dictItems) this.batch(v.dictItems, 0x73, 0x75);
      if (v.state !== undefined) {
        this.save(v.state);
        c.push(0x62);
      }
    } else if (v instanceof PersistentId) {
      this.save(v.pid);
      c.push(0x51);
    } else {
      throw new PickleError('cannot pickle this value');
    }
  }

  /** CPython's _batch_appends/_batch_setitems: one item → APPEND/SETITEM, more → MARK … APPENDS/SETITEMS (1000 a batch). */
  private batch(items: PickleValue[][], single: number, multi: number) {
    for (let i = 0; i < items.length; i += 1000) {
      const chunk = items.slice(i, i + 1000);
      if (chunk.length === 1) {
        for (const x of chunk[0] as PickleValue[]) this.save(x);
        this.chunks.push(single);
      } else {
        this.chunks.push(0x28);
        for (const kv of chunk) for (const x of kv) this.save(x);
        this.chunks.push(multi);
      }
    }
  }

  private saveInt(v: number) {
    if (!Number.isInteger(v)) {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v, false);
      this.chunks.push(0x47, ...b);
    } else if (v >= 0 && v < 256) this.chunks.push(0x4b, v);
    else if (v >= 0 && v < 65536) this.chunks.push(0x4d, v & 0xff, v >> 8);
    else if (v >= -0x80000000 && v <= 0x7fffffff) this.chunks.push(0x4a, ...le32(v));
    else this.chunks.push(0x8a, ...encodeLong(BigInt(v)));
  }
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** CPython's encode_long: minimal little-endian two's complement, prefixed by its length byte. */
function encodeLong(v: bigint): number[] {
  if (v === 0n) return [0];
  const out: number[] = [];
  let x = v;
  for (;;) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
    const signBit = ((out[out.length - 1] as number) & 0x80) !== 0;
    if ((x === 0n && !signBit) || (x === -1n && signBit)) break;
  }
  return [out.length, ...out];
}
