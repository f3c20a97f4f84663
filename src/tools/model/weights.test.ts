import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPickle } from './pt/pickle.ts';
import { readTorchCheckpoint } from './pt/torch-pt.ts';
import { writeTorchLegacy, writeTorchZip } from '../../../test-support/torch-pt-writer.ts';
import {
  detectWeightsFormat,
  loadWeights,
  parameterCount,
  parseTensorsJson,
  parseWeightsJson,
  WeightsError,
  writeWeightsJson,
  type FocusWeights,
} from './weights.ts';
import { listZip, zipEntryData, type ZipEntry } from './pt/zip.ts';

/** Deterministic weights with awkward float32 values (not exactly representable in few decimals). */
function makeWeights(c: number, seed = 1): FocusWeights {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  const w: FocusWeights = {
    kernels: c,
    convWeight: Float32Array.from({ length: c * 147 }, () => rnd() * 3),
    convBias: Float32Array.from({ length: c }, () => rnd()),
  };
  if (c > 1) {
    w.fcWeight = Float32Array.from({ length: c }, () => rnd() * 2);
    w.fcBias = Math.fround(rnd());
  }
  return w;
}

/** The weights of fixtures/make-torch-fixtures.py. */
function fixtureWeights(c: number): FocusWeights {
  const w: FocusWeights = {
    kernels: c,
    convWeight: Float32Array.from({ length: c * 147 }, (_, i) => ((i % 17) - 8) / 16),
    convBias: Float32Array.from({ length: c }, (_, i) => i / 4 - 0.5),
  };
  if (c > 1) {
    w.fcWeight = Float32Array.from({ length: c }, (_, i) => (i + 1) / 8);
    w.fcBias = 0.75;
  }
  return w;
}

function expectSameWeights(got: FocusWeights, want: FocusWeights) {
  expect(got.kernels).toBe(want.kernels);
  expect(Array.from(got.convWeight)).toEqual(Array.from(want.convWeight));
  expect(Array.from(got.convBias)).toEqual(Array.from(want.convBias));
  expect(got.fcWeight ? Array.from(got.fcWeight) : undefined).toEqual(want.fcWeight ? Array.from(want.fcWeight) : undefined);
  expect(got.fcBias).toBe(want.fcBias);
}

const enc = (s: string) => new TextEncoder().encode(s);

describe('focuslite-weights/1 JSON', () => {
  it.each([1, 2, 10])('round-trips %i-kernel weights bit-exactly with metadata', (c) => {
    const w = makeWeights(c, c);
    const text = writeWeightsJson(w, { trainedOn: 'unit test', epochs: 3 });
    const obj = JSON.parse(text);
    expect(obj.format).toBe('focuslite-weights/1');
    expect(obj.convWeight).toHaveLength(c * 147);
    const back = parseWeightsJson(text);
    expectSameWeights(back, w);
    expect(back.metadata).toEqual({ trainedOn: 'unit test', epochs: 3 });
    expect(detectWeightsFormat(enc(text))).toBe('focuslite-json');
    expect(parameterCount(back)).toBe({ 1: 148, 2: 299, 10: 1491 }[c]);
  });

  it('rejects inconsistent weights with a clear message', () => {
    const w = makeWeights(2);
    expect(() => writeWeightsJson({ ...w, fcWeight: undefined })).toThrow(/needs fcWeight/);
    expect(() => writeWeightsJson(w, { kernels: 3 })).toThrow(/reserved/);
    const obj = JSON.parse(writeWeightsJson(w));
    obj.convWeight.pop();
    expect(() => parseWeightsJson(JSON.stringify(obj))).toThrow(/convWeight has 293 values, expected 2×3×7×7 = 294/);
    expect(() => parseWeightsJson('{"format":"other"}')).toThrow(WeightsError);
  });
});

describe('tensors JSON (../shared/reference/weights layout)', () => {
  it('strips module. prefixes and reshapes fc.weight [1,C,1,1]', () => {
    const w = makeWeights(2, 7);
    const tensors = {
      'module.conv.weight': { shape: [2, 3, 7, 7], dtype: 'float32', values: Array.from(w.convWeight) },
      'module.conv.bias': { shape: [2], dtype: 'float32', values: Array.from(w.convBias) },
      'module.fc.weight': { shape: [1, 2, 1, 1], dtype: 'float32', values: Array.from(w.fcWeight as Float32Array) },
      'module.fc.bias': { shape: [1], dtype: 'float32', values: [w.fcBias] },
    };
    const text = JSON.stringify({ source: 'x.pt', tensors });
    expect(detectWeightsFormat(enc(text))).toBe('tensors-json');
    const got = loadWeights(enc(text), 'x.json');
    expect(got.format).toBe('tensors-json');
    expect(got.metadata).toEqual({ source: 'x.pt' });
    expectSameWeights(got, w);
  });

  it('names what is missing', () => {
    expect(() => parseTensorsJson({ tensors: { 'conv.bias': { shape: [1], values: [0] } } })).toThrow(/no FocusLiteNN conv.weight/);
    expect(() => parseTensorsJson({ tensors: { 'conv.weight': { shape: [1, 3, 5, 5], values: new Array(75).fill(0) }, 'conv.bias': { shape: [1], values: [0] } } })).toThrow(
      /expected \[C,3,7,7\]/,
    );
  });
});

describe('PyTorch checkpoints written here', () => {
  for (const c of [1, 2, 10]) {
    for (const modulePrefix of [false, true]) {
      for (const wrapInStateDict of [false, true]) {
        const label = `${c}-kernel${modulePrefix ? ', module.' : ''}${wrapInStateDict ? ", {'state_dict': …}" : ''}`;
        it(`legacy and zip round-trip (${label})`, () => {
          const w = makeWeights(c, 100 + c);
          const legacy = writeTorchLegacy(w, { modulePrefix, wrapInStateDict });
          expect(detectWeightsFormat(legacy)).toBe('torch-legacy');
          const fromLegacy = loadWeights(legacy, 'legacy.pt');
          expect(fromLegacy.format).toBe('torch-legacy');
          expectSameWeights(fromLegacy, w);

          const zip = writeTorchZip(w, { modulePrefix, wrapInStateDict, archiveName: 'ckpt' });
          expect(detectWeightsFormat(zip)).toBe('torch-zip');
          const fromZip = loadWeights(zip, 'zip.pt');
          expect(fromZip.format).toBe('torch-zip');
          expectSameWeights(fromZip, w);

          const names = [...readTorchCheckpoint(zip).stateDict.keys()];
          expect(names[0]).toBe(modulePrefix ? 'module.conv.weight' : 'conv.weight');
          expect(fromZip.metadata.topLevelKeys).toEqual(wrapInStateDict ? ['state_dict'] : names);
        });
      }
    }
  }

  it('legacy layout: magic, protocol 1001, sys_info, object, sorted keys, then count-prefixed float32 storages', () => {
    const w = makeWeights(1, 5);
    const bytes = writeTorchLegacy(w);
    // pickle.dump(0x1950a86a20f9469cfc6c, protocol=2) and pickle.dump(1001, protocol=2)
    expect(Array.from(bytes.subarray(0, 21))).toEqual([
      0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e, 0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e,
    ]);
    let pos = 21;
    const sysInfo = readPickle(bytes, pos);
    expect(sysInfo.value).toEqual(new Map<string, unknown>([['protocol_version', 1001], ['little_endian', true], ['type_sizes', new Map([['short', 2], ['int', 4], ['long', 4]])]]));
    pos = readPickle(bytes, sysInfo.end, { persistentLoad: (pid) => pid }).end;
    const keys = readPickle(bytes, pos);
    expect(keys.value).toHaveLength(2);
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    expect(Number(dv.getBigInt64(keys.end, true))).toBe(147);
    expect(dv.getFloat32(keys.end + 8, true)).toBe(w.convWeight[0]);
    expect(Number(dv.getBigInt64(keys.end + 8 + 147 * 4, true))).toBe(1);
    expect(keys.end + 8 + 147 * 4 + 8 + 4).toBe(bytes.length);
  });

  it('zip layout: stored entries, data 64-byte aligned', () => {
    const zip = writeTorchZip(makeWeights(2), { archiveName: 'm' });
    const entries = listZip(zip);
    expect(entries.map((e) => e.name)).toEqual(['m/data.pkl', 'm/byteorder', 'm/data/0', 'm/data/1', 'm/data/2', 'm/data/3', 'm/version']);
    const dv = new DataView(zip.buffer, zip.byteOffset);
    for (const e of entries) {
      expect(e.method).toBe(0);
      const start = e.localHeaderOffset + 30 + dv.getUint16(e.localHeaderOffset + 26, true) + dv.getUint16(e.localHeaderOffset + 28, true);
      expect(start % 64).toBe(0);
    }
  });

  it('reports a truncated or foreign file clearly', () => {
    const legacy = writeTorchLegacy(makeWeights(1));
    expect(() => loadWeights(legacy.subarray(0, legacy.length - 10), 'cut.pt')).toThrow(/cut.pt: .*truncated/);
    const zip = writeTorchZip(makeWeights(1));
    expect(() => loadWeights(zip.subarray(0, zip.length - 30), 'cut.zip')).toThrow(/cut.zip: zip end-of-central-directory record not found/);
    expect(() => loadWeights(enc('hello'), 'notes.txt')).toThrow(/notes.txt: unrecognised content/);
  });
});

describe('PyTorch checkpoints written by torch 1.13 (fixtures/make-torch-fixtures.py)', () => {
  const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

  it('legacy, DataParallel module. prefix, wrapped in {state_dict, epoch}', () => {
    const got = loadWeights(fixture('torch113-legacy-2kernel-module-wrapped.pt'), 'fixture');
    expect(got.format).toBe('torch-legacy');
    expect(got.metadata.topLevelKeys).toEqual(['state_dict', 'epoch']);
    expectSameWeights(got, fixtureWeights(2));
  });

  it('legacy, 1 kernel, bare state dict', () => {
    const got = loadWeights(fixture('torch113-legacy-1kernel.pt'), 'fixture');
    expectSameWeights(got, fixtureWeights(1));
  });

  it('zip, archive named after the file', () => {
    const got = loadWeights(fixture('torch113-zip-2kernel.pt'), 'fixture');
    expect(got.format).toBe('torch-zip');
    expect(got.metadata.archive).toBe('torch113-zip-2kernel');
    expectSameWeights(got, fixtureWeights(2));
  });

  it.each([
    ['torch113-legacy-1kernel.pt', 1, false],
    ['torch113-legacy-2kernel-module.pt', 2, true],
  ] as const)('our legacy writer reproduces %s byte for byte (given its storage keys)', (name, c, modulePrefix) => {
    const theirs = fixture(name);
    // Walk the pickles: magic, protocol, sys_info, then the object, collecting storage keys in order.
    let pos = 0;
    for (let i = 0; i < 3; i++) pos = readPickle(theirs, pos).end;
    const keys: string[] = [];
    readPickle(theirs, pos, { persistentLoad: (pid) => keys.push(String((pid as unknown[])[2])) });
    expect(keys).toHaveLength(c === 1 ? 2 : 4);
    expect(Array.from(writeTorchLegacy(fixtureWeights(c), { modulePrefix, storageKeys: keys }))).toEqual(Array.from(theirs));
  });

  it("our zip writer's data.pkl equals torch's byte for byte", () => {
    const theirs = fixture('torch113-zip-2kernel.pt');
    const ours = writeTorchZip(fixtureWeights(2));
    const pkl = (zip: Uint8Array) => {
      const e = listZip(zip).find((x) => x.name.endsWith('/data.pkl'));
      expect(e).toBeDefined();
      return Array.from(zipEntryData(zip, e as ZipEntry));
    };
    expect(pkl(ours)).toEqual(pkl(theirs));
  });
});
