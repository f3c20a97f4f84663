// Fuzz test of the slide readers (issue 7, bad input): real slides from ../shared and small synthetic LZW/Deflate
// pyramids, mutated with fixed seeds (bit flips, truncation, corrupted IFD offsets, entry counts, tag types and
// counts, tile offsets, byte counts and data, IFD loops, absurd dimensions and tile counts), plus whole-file cases
// (empty, random bytes, images renamed to .svs). Every case must end in a clean success or a specific SlideError
// within a time bound. The corpus lives in memory only.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoSlide } from '../writers/demo/demo-slide.ts';
import { encodePng } from '../../test-support/encode-image.ts';
import { buildDicom } from '../../test-support/dicom-fixture.ts';
import { hasShared, sharedPath, SKIP_SHARED_MESSAGE } from '../../test-support/shared.ts';
import { nodeCodecs } from './node.ts';
import { MUTATORS, messageClass, parseLayout, randomBytes, runCase, seededRng, type FuzzCase, type Outcome } from '../../test-support/fuzz-mutations.ts';
import { MemorySink, writeTiff, type TiffWriterOptions } from '../writers/tiff/writer.ts';

/**
 * Per case: opening plus up to five region reads; real cases take well under a second. The bound catches awaits
 * that never settle; a synchronous runaway (like geotiff's LZW decoder on corrupt codes, which grew an array until
 * V8 aborted the process) cannot be interrupted, so it shows as this test file crashing or timing out.
 */
const CASE_TIMEOUT_MS = 5000;

const SHARED_SLIDES = ['CMU-1-Small-Region.svs', 'TCGA-CR-7395-jp2k.svs', 'derived/CMU-1-pyramid-jpeg.tif', 'derived/CMU-1-pyramid-subifd.ome.tif'];

const outcomes: { corpus: string; outcome: Outcome }[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
const started = performance.now();

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  printSummary();
});

/** Runs every mutator's cases on one valid file; returns the failures (which the caller asserts are none). */
async function fuzzFile(corpusIndex: number, fileName: string, base: Uint8Array): Promise<string[]> {
  const layout = parseLayout(base);
  const failures: string[] = [];
  let mutatorIndex = 0;
  for (const [kind, { cases, mutate }] of Object.entries(MUTATORS)) {
    mutatorIndex++;
    for (let i = 0; i < cases; i++) {
      const seed = corpusIndex * 100_000 + mutatorIndex * 100 + i;
      const r = seededRng(seed);
      const { bytes, what, target } = mutate(r, base, layout);
      if (what.startsWith('skip:')) continue;
      const c: FuzzCase = { label: `${kind} [seed ${seed}] ${what}`, name: `case${seed}-${fileName.split('/').pop()}`, bytes, ...(target ? { target } : {}) };
      if (process.env.FUZZ_VERBOSE) console.log(`start ${c.label}`);
      const outcome = await runCase(c, nodeCodecs, r, CASE_TIMEOUT_MS);
      record(fileName, kind, outcome);
      if (outcome.kind === 'failure') failures.push(`${outcome.detail}: ${outcome.message}`);
    }
  }
  return failures;
}

function record(corpus: string, kind: string, outcome: Outcome): void {
  outcomes.push({ corpus, outcome: { ...outcome, detail: kind } });
  if (process.env.FUZZ_VERBOSE) console.log(`${outcome.kind.padEnd(11)} ${String(outcome.ms).padStart(5)} ms  ${corpus}  ${outcome.kind === 'ok' ? kind : `${kind}: ${outcome.message.slice(0, 160)}`}`);
}

function printSummary(): void {
  if (!outcomes.length) return;
  const byClass = new Map<string, number>();
  const byKind = new Map<string, Map<string, number>>();
  for (const { outcome } of outcomes) {
    const cls =
      outcome.kind === 'ok' ? 'opened, all reads OK'
      : outcome.kind === 'tile-errors' ? `opened, tile error: ${messageClass(outcome.message)}`
      : outcome.kind === 'refused' ? `refused at open: ${messageClass(outcome.message)}`
      : 'FAILURE';
    byClass.set(cls, (byClass.get(cls) ?? 0) + 1);
    const k = byKind.get(outcome.detail) ?? new Map<string, number>();
    k.set(outcome.kind, (k.get(outcome.kind) ?? 0) + 1);
    byKind.set(outcome.detail, k);
  }
  const slowest = outcomes.reduce((a, b) => (b.outcome.ms > a.outcome.ms ? b : a));
  const lines = [
    `fuzz: ${outcomes.length} cases in ${((performance.now() - started) / 1000).toFixed(1)} s (slowest ${slowest.outcome.ms} ms: ${slowest.corpus}, ${slowest.outcome.detail})`,
    ...[...byClass].sort((a, b) => b[1] - a[1]).map(([cls, n]) => `  ${String(n).padStart(4)}  ${cls}`),
    'by mutation (ok / tile-errors / refused / failure):',
    ...[...byKind].map(([kind, m]) => `  ${kind.padEnd(28)} ${['ok', 'tile-errors', 'refused', 'failure'].map((k) => String(m.get(k) ?? 0).padStart(3)).join(' ')}`),
  ];
  console.log(lines.join('\n'));
}

async function synthetic(options: TiffWriterOptions): Promise<Uint8Array> {
  const sink = new MemorySink();
  await writeTiff(sink, createDemoSlide({ width: 520, height: 380, seed: 5 }), { tileSize: 128, ...options });
  return sink.toBytes();
}

describe('fuzz: synthetic lossless slides (LZW, Deflate, uncompressed strips)', () => {
  const corpora: [string, TiffWriterOptions][] = [
    ['synthetic-lzw.tif', { compression: 'lzw' }],
    ['synthetic-deflate.ome.tif', { compression: 'deflate', layout: 'subifd', description: '<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"/>' }],
    ['synthetic-strips.tif', { compression: 'none', layout: 'single', rowsPerStrip: 64 }],
  ];
  corpora.forEach(([name, options], i) => {
    it(`${name}: every mutation ends in a clean success or a specific SlideError`, { timeout: 120_000 }, async () => {
      const failures = await fuzzFile(10 + i, name, await synthetic(options));
      expect(failures).toEqual([]);
    });
  });
});

describe.skipIf(!hasShared)(`fuzz: real slides in ../shared/slides (${hasShared ? 'present' : SKIP_SHARED_MESSAGE})`, () => {
  SHARED_SLIDES.forEach((file, i) => {
    it(`${file}: every mutation ends in a clean success or a specific SlideError`, { timeout: 120_000 }, async () => {
      const base = new Uint8Array(readFileSync(sharedPath('slides', file)));
      // The unmutated slide opens and reads: otherwise every case would trivially be a "clean error".
      const clean = await runCase({ label: 'unmutated', name: file.split('/').pop()!, bytes: base }, nodeCodecs, seededRng(1), CASE_TIMEOUT_MS);
      expect(clean.kind, 'message' in clean ? clean.message : '').toBe('ok');
      const failures = await fuzzFile(i + 1, file, base);
      expect(failures).toEqual([]);
    });
  });
});

/** Byte-level mutations of a DICOM file (the TIFF mutators know TIFF structure only): bit flips, overwritten 32-bit
 * words (lengths, offsets, tags) past the preamble, and truncations. */
async function fuzzDicom(corpusIndex: number, fileName: string, base: Uint8Array): Promise<string[]> {
  const failures: string[] = [];
  const kinds = ['dicom: bit flips', 'dicom: overwritten word', 'dicom: truncated'] as const;
  for (let i = 0; i < 90; i++) {
    const seed = corpusIndex * 100_000 + i;
    const r = seededRng(seed);
    const kind = kinds[i % 3]!;
    let bytes = base.slice();
    let what: string;
    if (kind === 'dicom: bit flips') {
      const at = Array.from({ length: 4 }, () => 132 + r.int(Math.min(bytes.length - 132, 8192)));
      for (const p of at) bytes[p]! ^= 1 << r.int(8);
      what = `bits flipped at ${at.join(', ')}`;
    } else if (kind === 'dicom: overwritten word') {
      const at = 132 + r.int(bytes.length - 136);
      const value = r.pick([0, 0xffffffff, 0x7fffffff, r.int(1 << 30), bytes.length, 8]);
      new DataView(bytes.buffer).setUint32(at, value, true);
      what = `word at ${at} set to ${value}`;
    } else {
      const end = 132 + r.int(bytes.length - 132);
      bytes = bytes.slice(0, end);
      what = `truncated to ${end} bytes`;
    }
    const c: FuzzCase = { label: `${kind} [seed ${seed}] ${what}`, name: `case${seed}-${fileName}`, bytes };
    const outcome = await runCase(c, nodeCodecs, r, CASE_TIMEOUT_MS);
    record(fileName, kind, outcome);
    if (outcome.kind === 'failure') failures.push(`${outcome.detail}: ${outcome.message}`);
  }
  return failures;
}

describe('fuzz: DICOM', () => {
  it('a tiled JPEG DICOM WSI (fixture): every mutation ends in a clean success or a specific SlideError', { timeout: 120_000 }, async () => {
    const jpeg = new Uint8Array(await sharp(Buffer.alloc(32 * 32 * 3, 120), { raw: { width: 32, height: 32, channels: 3 } }).jpeg().toBuffer());
    const base = buildDicom({ width: 60, height: 50, tile: 32, frames: [jpeg, jpeg, jpeg, jpeg], spacingMm: 0.0005, positions: [[1, 1], [33, 1], [1, 33], [33, 33]], bot: 'auto' });
    expect(await fuzzDicom(31, 'fixture.dcm', base)).toEqual([]);
  });

  it.skipIf(!hasShared)(`TCGA-XK-AAJU-small.dcm (real, frames column by column): every mutation ends cleanly${hasShared ? '' : ` (${SKIP_SHARED_MESSAGE})`}`, { timeout: 120_000 }, async () => {
    const base = new Uint8Array(readFileSync(sharedPath('slides', 'TCGA-XK-AAJU-small.dcm')));
    const clean = await runCase({ label: 'unmutated', name: 'TCGA-XK-AAJU-small.dcm', bytes: base }, nodeCodecs, seededRng(1), CASE_TIMEOUT_MS);
    expect(clean.kind, 'message' in clean ? clean.message : '').toBe('ok');
    expect(await fuzzDicom(32, 'TCGA-XK-AAJU-small.dcm', base)).toEqual([]);
  });
});

describe('fuzz: whole-file bad input', () => {
  it('empty, random, header-only, renamed and broken images: specific messages, valid images open', { timeout: 60_000 }, async () => {
    const r = seededRng(777);
    const rgb = Buffer.alloc(300 * 200 * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 7) & 255;
    const jpeg = new Uint8Array(await sharp(rgb, { raw: { width: 300, height: 200, channels: 3 } }).jpeg().toBuffer());
    const pngBytes = await encodePng({ width: 64, height: 48, data: new Uint8Array(64 * 48 * 4).fill(200) });
    const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
    const hugeJpeg = jpeg.slice();
    new DataView(hugeJpeg.buffer).setUint32(sof + 5, 0xffffffff); // 65535×65535
    const hugePng = pngBytes.slice();
    new DataView(hugePng.buffer).setUint32(16, 1e9);
    new DataView(hugePng.buffer).setUint32(20, 1e9);
    const tiffHead = (head: number[]) => Uint8Array.from([...head, ...randomBytes(r, 4096)]);
    const dicom = new Uint8Array(1000);
    dicom.set([0x44, 0x49, 0x43, 0x4d], 128);

    const cases: [string, Uint8Array, Outcome['kind'], RegExp?][] = [
      ['empty.svs', new Uint8Array(0), 'refused', /empty \(0 bytes\)/],
      ['one-byte.svs', Uint8Array.of(0x49), 'refused', /does not start with a TIFF header/],
      ['seven-bytes.tif', Uint8Array.of(0x49, 0x49, 42, 0, 8, 0, 0), 'refused', /not a TIFF file \(only 7 bytes\)/],
      ...[8, 100, 4096, 65536].map((n) => [`random-${n}.svs`, randomBytes(r, n), 'refused', /does not start with a TIFF header/] as [string, Uint8Array, Outcome['kind'], RegExp]),
      ['random-after-II.tif', tiffHead([0x49, 0x49, 42, 0]), 'refused'],
      ['random-after-MM.tif', tiffHead([0x4d, 0x4d, 0, 42]), 'refused'],
      ['random-after-II-ifd8.tif', tiffHead([0x49, 0x49, 42, 0, 8, 0, 0, 0]), 'refused'],
      ['random-after-bigtiff.tif', tiffHead([0x49, 0x49, 43, 0, 8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0]), 'refused'],
      ['bad-magic.tif', tiffHead([0x49, 0x49, 41, 0]), 'refused', /magic number 41/],
      ['photo.svs', jpeg, 'refused', /JPEG image, not a TIFF\/SVS file \(was it renamed\?\)/],
      ['picture.tif', pngBytes, 'refused', /PNG image, not a TIFF\/SVS file/],
      ['slide.dcm', dicom, 'refused', /corrupt DICOM file: no file meta information group length/],
      ['photo.jpg', jpeg, 'ok'],
      ['picture.png', pngBytes, 'ok'],
      ['huge-sof.jpg', hugeJpeg, 'refused', /65535×65535 is too large for a plain image/],
      ['huge-ihdr.png', hugePng, 'refused', /1000000000×1000000000 is too large for a plain image/],
      ['truncated.jpg', jpeg.slice(0, jpeg.length >> 1), 'refused', /premature end of JPEG/],
      ['headless.jpg', jpeg.slice(0, 40), 'refused'],
      ['png-then-random.png', Uint8Array.from([...pngBytes.subarray(0, 8), ...randomBytes(r, 2000)]), 'refused'],
    ];
    const failures: string[] = [];
    for (const [name, bytes, expected, message] of cases) {
      const outcome = await runCase({ label: name, name, bytes }, nodeCodecs, r, CASE_TIMEOUT_MS);
      record('whole files', 'whole-file cases', outcome);
      const text = 'message' in outcome ? outcome.message : '';
      if (outcome.kind !== expected) failures.push(`${name}: expected ${expected}, got ${outcome.kind}: ${text}`);
      else if (message && !message.test(text)) failures.push(`${name}: message ${JSON.stringify(text)} does not match ${message}`);
    }
    expect(failures).toEqual([]);
  });

  it('no unhandled promise rejections from any case', () => {
    expect(unhandled.map(String)).toEqual([]);
  });
});
