// The DICOM JSON model (PS3.18 F.2, what DICOMweb servers answer for metadata) as a Dataset, so a server's instance
// is read by the same code as a file's. Only the tags the readers look at are kept (READ_TAGS): never person names.
import { SlideError } from '../types.ts';
import { READ_TAGS, type Dataset, type Element } from './dataset.ts';

interface JsonElement {
  vr?: string;
  Value?: unknown[];
}

const BINARY: Record<string, [number, (v: DataView, at: number, x: number) => void]> = {
  US: [2, (v, at, x) => v.setUint16(at, x, true)],
  SS: [2, (v, at, x) => v.setInt16(at, x, true)],
  UL: [4, (v, at, x) => v.setUint32(at, x, true)],
  SL: [4, (v, at, x) => v.setInt32(at, x, true)],
  FL: [4, (v, at, x) => v.setFloat32(at, x, true)],
  FD: [8, (v, at, x) => v.setFloat64(at, x, true)],
};

const enc = new TextEncoder();

export function jsonToDataset(json: unknown, name: string, depth = 0): Dataset {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new SlideError(`${name}: the server's metadata is not a DICOM JSON object.`);
  if (depth > 16) throw new SlideError(`${name}: the server's metadata nests sequences more than 16 deep.`);
  const ds: Dataset = new Map();
  for (const [key, raw] of Object.entries(json as Record<string, JsonElement>)) {
    if (!/^[0-9A-Fa-f]{8}$/.test(key) || !raw || typeof raw !== 'object') continue;
    const tag = Number.parseInt(key, 16) >>> 0;
    // Only what the readers look at: a large series has an item per frame with many elements nobody reads.
    if (!READ_TAGS.has(tag)) continue;
    const vr = typeof raw.vr === 'string' ? raw.vr : '';
    const values = Array.isArray(raw.Value) ? raw.Value : [];
    let element: Element;
    if (vr === 'SQ') {
      element = { vr, offset: 0, length: 0, value: new Uint8Array(0), items: values.map((item) => jsonToDataset(item, name, depth + 1)) };
    } else if (BINARY[vr]) {
      const [size, set] = BINARY[vr];
      const numbers = values.filter((x): x is number => typeof x === 'number');
      const value = new Uint8Array(size * numbers.length);
      const view = new DataView(value.buffer);
      numbers.forEach((x, i) => set(view, i * size, x));
      element = { vr, offset: 0, length: value.length, value };
    } else if (vr === 'PN' || vr === 'OB' || vr === 'OW' || vr === 'UN') {
      continue; // names stay out of everything we hold; bulk data is never needed here
    } else {
      const value = enc.encode(values.map((x) => (typeof x === 'string' || typeof x === 'number' ? String(x) : '')).join('\\'));
      element = { vr, offset: 0, length: value.length, value };
    }
    ds.set(tag, element);
  }
  return ds;
}
