// Writes stored ZIP entries as PyTorch does, for tests of the reader in src/tools/model/pt/zip.ts.
import { concatBytes } from '../src/common/bytes.ts';
import { crc32 } from '../src/tools/model/pt/zip.ts';

/**
 * Writes stored entries as PyTorch's PyTorchStreamWriter (miniz) does: local header, then an extra field with id
 * "FB" padded with 'Z' so that every entry's data starts at a multiple of 64 bytes; sizes and CRC in the local
 * header (no data descriptor); central directory; end record. No ZIP64 (checkpoints here are tiny).
 */
export function writeZip(files: { name: string; data: Uint8Array }[], alignment = 64): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const name = enc.encode(f.name);
    const crc = crc32(f.data);
    const headerLen = 30 + name.length;
    const pad = (alignment - ((offset + headerLen + 4) % alignment)) % alignment;
    const extraLen = 4 + pad;
    const local = new Uint8Array(headerLen + extraLen);
    const dv = new DataView(local.buffer);
    dv.setUint32(0, 0x04034b50, true);
    dv.setUint16(4, 20, true); // version needed
    dv.setUint16(6, 0, true); // flags
    dv.setUint16(8, 0, true); // stored
    dv.setUint16(10, 0, true); // time
    dv.setUint16(12, 0x21, true); // date 1980-01-01
    dv.setUint32(14, crc, true);
    dv.setUint32(18, f.data.length, true);
    dv.setUint32(22, f.data.length, true);
    dv.setUint16(26, name.length, true);
    dv.setUint16(28, extraLen, true);
    local.set(name, 30);
    dv.setUint16(headerLen, 0x4246, true); // "FB"
    dv.setUint16(headerLen + 2, pad, true);
    local.fill(0x5a, headerLen + 4); // 'Z'

    const cd = new Uint8Array(46 + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true); // version made by
    cv.setUint16(6, 20, true);
    cv.setUint16(12, 0, true);
    cv.setUint16(14, 0x21, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, f.data.length, true);
    cv.setUint32(24, f.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    cd.set(name, 46);

    parts.push(local, f.data);
    central.push(cd);
    offset += local.length + f.data.length;
  }
  const cdSize = central.reduce((a, b) => a + b.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return concat([...parts, ...central, end]);
}

export const concat = concatBytes;
