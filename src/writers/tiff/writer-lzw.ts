// TIFF-flavoured LZW (MSB-first codes, "early change" code widths, Clear = 256, EOI = 257).

const CLEAR = 256;
const EOI = 257;
const MAX_CODE = 4093;
const HASH_SIZE = 1 << 14;

export function lzwEncode(input: Uint8Array): Uint8Array {
  // Worst case is about 12 bits per input byte plus the clears.
  let out = new Uint8Array(Math.ceil(input.length * 1.6) + 64);
  let pos = 0;
  let acc = 0;
  let bits = 0;
  let width = 9;
  const keys = new Int32Array(HASH_SIZE);
  const codes = new Int16Array(HASH_SIZE);
  let next = 258;

  const put = (code: number) => {
    acc = (acc << width) | code;
    bits += width;
    while (bits >= 8) {
      bits -= 8;
      if (pos >= out.length) {
        const grown = new Uint8Array(out.length * 2);
        grown.set(out);
        out = grown;
      }
      out[pos++] = (acc >>> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  };
  const reset = () => {
    keys.fill(-1);
    next = 258;
    width = 9;
  };

  put(CLEAR);
  reset();
  if (input.length === 0) {
    put(EOI);
  } else {
    let prefix = input[0] ?? 0;
    for (let i = 1; i < input.length; i++) {
      const byte = input[i] ?? 0;
      const key = (prefix << 8) | byte;
      let h = (Math.imul(key, 0x9e3779b1) >>> 18) & (HASH_SIZE - 1);
      let found = -1;
      for (;;) {
        const k = keys[h] ?? -1;
        if (k === -1) break;
        if (k === key) {
          found = codes[h] ?? -1;
          break;
        }
        h = (h + 1) & (HASH_SIZE - 1);
      }
      if (found >= 0) {
        prefix = found;
        continue;
      }
      put(prefix);
      keys[h] = key;
      codes[h] = next++;
      // The decoder lags one code behind, so widths grow one code early (511, 1023, 2047).
      if (next === 512 || next === 1024 || next === 2048) width++;
      if (next >= MAX_CODE) {
        put(CLEAR);
        reset();
      }
      prefix = byte;
    }
    put(prefix);
    if (next + 1 === 512 || next + 1 === 1024 || next + 1 === 2048) width++;
    put(EOI);
  }
  if (bits > 0) {
    if (pos >= out.length) {
      const grown = new Uint8Array(out.length + 1);
      grown.set(out);
      out = grown;
    }
    out[pos++] = (acc << (8 - bits)) & 0xff;
  }
  return out.slice(0, pos);
}
