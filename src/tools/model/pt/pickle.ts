// A minimal Python pickle reader (protocols 0–5, the opcodes torch.save emits and a few more); the writer tests use
// lives in test-support/pickle-writer.ts. Reading never runs code: globals become inert markers and REDUCE calls only the handful of
// constructors the caller maps (OrderedDict, torch's tensor rebuilders); everything else becomes a PickleObject.

export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

/** A reference to a Python global (`module.name`), as GLOBAL/STACK_GLOBAL push it. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An object the reader does not construct: what would have been called, with which arguments and state. */
export class PickleObject {
  state: unknown = undefined;
  constructor(
    readonly callable: unknown,
    readonly args: unknown[],
  ) {}
}

/** Python tuples are read as frozen arrays; lists as plain arrays; dicts as Maps (keys may be ints or tuples). */
export type PickleReduce = (callable: PickleGlobal, args: unknown[]) => unknown;

export interface PickleReadOptions {
  /** Resolves BINPERSID/PERSID ids (torch: storages). */
  persistentLoad?: (pid: unknown) => unknown;
  /** Constructs known globals; return undefined to fall back to a PickleObject. */
  reduce?: PickleReduce;
}

export interface PickleResult {
  value: unknown;
  /** Offset just past the STOP opcode (torch's legacy format appends more pickles and raw storages). */
  end: number;
}

export function readPickle(bytes: Uint8Array, offset = 0, options: PickleReadOptions = {}): PickleResult {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: false });
  const latin1 = new TextDecoder('latin1');
  const stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();
  let pos = offset;
  let current = stack;

  const need = (n: number) => {
    if (pos + n > bytes.length) throw new PickleError(`truncated pickle at byte ${pos}`);
  };
  const u8 = () => {
    need(1);
    return bytes[pos++] as number;
  };
  const u16 = () => {
    need(2);
    const v = dv.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = dv.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = () => {
    need(4);
    const v = dv.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleError('pickle item too large');
    return Number(v);
  };
  const take = (n: number) => {
    need(n);
    const v = bytes.subarray(pos, pos + n);
    pos += n;
    return v;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError('unterminated text line in pickle');
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = () => {
    if (current.length === 0) throw new PickleError(`pickle stack underflow at byte ${pos - 1}`);
    return current.pop();
  };
  const top = () => {
    if (current.length === 0) throw new PickleError(`pickle stack underflow at byte ${pos - 1}`);
    return current[current.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = current;
    const prev = metastack.pop();
    if (!prev) throw new PickleError('pickle MARK missing');
    current = prev;
    return items;
  };
  const tuple = (items: unknown[]) => Object.freeze(items.slice());
  const setItems = (target: unknown, items: unknown[]) => {
    if (target instanceof Map) {
      for (let i = 0; i + 1 < items.length; i += 2) target.set(hashKey(items[i]), items[i + 1]);
    } else if (target instanceof PickleObject) {
      // A dict subclass we do not construct: keep its items as state.
      const m = target.state instanceof Map ? target.state : new Map();
      for (let i = 0; i + 1 < items.length; i += 2) m.set(hashKey(items[i]), items[i + 1]);
      target.state = m;
    } else {
      throw new PickleError('SETITEMS on a value that is not a dict');
    }
  };
  const appendItems = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target) || Object.isFrozen(target)) throw new PickleError('APPENDS on a value that is not a list');
    target.push(...items);
  };
  const callReduce = (callable: unknown, args: unknown[]) => {
    if (callable instanceof PickleGlobal && options.reduce) {
      const v = options.reduce(callable, args);
      if (v !== undefined) return v;
    }
    return new PickleObject(callable, args);
  };
  const decodeLong = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
    if ((b[b.length - 1] as number) & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const persistent = (pid: unknown) => {
    if (!options.persistentLoad) throw new PickleError('pickle has persistent ids but no loader was given');
    return options.persistentLoad(pid);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw new PickleError('unsupported pickle protocol');
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        metastack.push(current);
        current = [];
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        current.push(top());
        break;
      case 0x4e: // NONE
        current.push(null);
        break;
      case 0x88: // NEWTRUE
        current.push(true);
        break;
      case 0x89: // NEWFALSE
        current.push(false);
        break;
      case 0x4b: // BININT1
        current.push(u8());
        break;
      case 0x4d: // BININT2
        current.push(u16());
        break;
      case 0x4a: // BININT
        current.push(i32());
        break;
      case 0x8a: // LONG1
        current.push(decodeLong(take(u8())));
        break;
      case 0x8b: // LONG4
        current.push(decodeLong(take(u32())));
        break;
      case 0x49: {
        // INT (text; "00"/"01" are False/True)
        const s = line();
        current.push(s === '00' ? false : s === '01' ? true : Number.parseInt(s, 10));
        break;
      }
      case 0x4c: // LONG (text)
        current.push(Number.parseInt(line().replace(/L$/, ''), 10));
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        current.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x46: // FLOAT (text)
        current.push(Number.parseFloat(line()));
        break;
      case 0x58: // BINUNICODE
        current.push(utf8.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        current.push(utf8.decode(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        current.push(utf8.decode(take(u64())));
        break;
      case 0x55: // SHORT_BINSTRING
        current.push(latin1.decode(take(u8())));
        break;
      case 0x54: // BINSTRING
        current.push(latin1.decode(take(i32())));
        break;
      case 0x43: // SHORT_BINBYTES
        current.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        current.push(take(u32()).slice());
        break;
      case 0x8e: // BINBYTES8
        current.push(take(u64()).slice());
        break;
      case 0x96: // BYTEARRAY8
        current.push(take(u64()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        current.push(Object.freeze([]));
        break;
      case 0x85: // TUPLE1
        current.push(tuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        current.push(tuple([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        current.push(tuple([a, b, c]));
        break;
      }
      case 0x74: {
        // TUPLE (popMark replaces `current`, so evaluate it before choosing the list to push onto)
        const items = popMark();
        current.push(tuple(items));
        break;
      }
      case 0x5d: // EMPTY_LIST
        current.push([]);
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        current.push(items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        current.push(new Map());
        break;
      case 0x64: {
        // DICT
        const m = new Map();
        setItems(m, popMark());
        current.push(m);
        break;
      }
      case 0x8f: // EMPTY_SET
        current.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) throw new PickleError('ADDITEMS on a value that is not a set');
        for (const x of items) s.add(x);
        break;
      }
      case 0x91: {
        // FROZENSET
        const items = popMark();
        current.push(new Set(items));
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x70: // PUT
        memo.set(Number.parseInt(line(), 10), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
      case 0x67: {
        // GET
        const idx = op === 0x68 ? u8() : op === 0x6a ? u32() : Number.parseInt(line(), 10);
        if (!memo.has(idx)) throw new PickleError(`pickle memo ${idx} is missing`);
        current.push(memo.get(idx));
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        current.push(new PickleGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        current.push(new PickleGlobal(String(module), String(name)));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        current.push(callReduce(callable, Array.isArray(args) ? args : [args]));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        current.push(callReduce(cls, Array.isArray(args) ? args : [args]));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop();
        const args = pop();
        const cls = pop();
        current.push(callReduce(cls, Array.isArray(args) ? args : [args]));
        break;
      }
      case 0x62: {
        // BUILD: OrderedDict's state (e.g. state_dict._metadata) is dropped; other objects keep it.
        const state = pop();
        const obj = top();
        if (obj instanceof PickleObject) obj.state = state;
        break;
      }
      case 0x51: // BINPERSID
        current.push(persistent(pop()));
        break;
      case 0x50: // PERSID
        current.push(persistent(line()));
        break;
      default:
        throw new PickleError(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${pos - 1}`);
    }
  }
}

/** Map keys: tuples become their JSON text so equal tuples find each other; other keys stay as they are. */
function hashKey(k: unknown): unknown {
  return Array.isArray(k) ? JSON.stringify(k) : k;
}
