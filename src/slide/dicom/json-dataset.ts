// The DICOM JSON model (PS3.18 F.2, what DICOMweb servers answer for metadata) as a Dataset, so a server's instance
// is read by the same code as a file's. Only the tags the readers look at are kept (READ_TAGS): never person names.
import { SlideError } from '../types.ts';
import { READ_TAGS, type Dataset, type Element } from './dataset.ts';

interface JsonElement {
  vr?: string;
  Value?: unknown[];
}

/** Numeric VRs: the values' little-endian bytes, as a file holds them (typed arrays are little-endian on every JS platform we run on). */
const BINARY: Record<string, (values: number[]) => Uint8Array> = {
  US: (v) => new Uint8Array(Uint16Array.from(v).buffer),
  SS: (v) => new Uint8Array(Int16Array.from(v).buffer),
  UL: (v) => new Uint8Array(Uint32Array.from(v).buffer),
  SL: (v) => new Uint8Array(Int32Array.from(v).buffer),
  FL: (v) => new Uint8Array(Float32Array.from(v).buffer),
  FD: (v) => new Uint8Array(Float64Array.from(v).buffer),
};

const enc = new TextEncoder();
const HEX_TAG = /^[0-9A-Fa-f]{8}$/;

/** Sequences with more items than this (one per frame) are converted when first read. */
const LAZY_ITEMS = 64;

function lazyItems(element: Element, values: unknown[], name: string, depth: number): void {
  let items: Dataset[] | undefined;
  Object.defineProperty(element, 'items', { enumerable: true, get: () => (items ??= values.map((item) => jsonToDataset(item, name, depth))) });
}

export function jsonToDataset(json: unknown, name: string, depth = 0): Dataset {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new SlideError(`${name}: the server's metadata is not a DICOM JSON object.`);
  if (depth > 16) throw new SlideError(`${name}: the server's metadata nests sequences more than 16 deep.`);
  const ds: Dataset = new Map();
  const object = json as Record<string, JsonElement>;
  // A large series has an item per frame: this loop runs for every element of 11 MB of JSON, so it tests the cheap
  // things first (the tag among the few the readers look at) and allocates only for those.
  for (const key in object) {
    if (key.length !== 8) continue;
    const tag = Number.parseInt(key, 16) >>> 0;
    if (!READ_TAGS.has(tag) || !HEX_TAG.test(key)) continue;
    const raw = object[key];
    if (!raw || typeof raw !== 'object') continue;
    const vr = typeof raw.vr === 'string' ? raw.vr : '';
    const values = Array.isArray(raw.Value) ? raw.Value : [];
    let element: Element;
    const binary = BINARY[vr];
    if (vr === 'SQ') {
      element = { vr, offset: 0, length: 0, value: new Uint8Array(0) };
      if (values.length <= LAZY_ITEMS) element.items = values.map((item) => jsonToDataset(item, name, depth + 1));
      else lazyItems(element, values, name, depth + 1);
    } else if (binary) {
      const value = binary(values.filter((x): x is number => typeof x === 'number'));
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
