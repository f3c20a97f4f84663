// `focuslite build-model` and `focuslite score` end to end (in process), with made-up weights: no ../shared needed.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { referenceImageScore } from '../../tools/model/reference.ts';
import { runCli } from '../../../test-support/cli.ts';
import { encodePng } from '../../../test-support/encode-image.ts';
import { writeTorchLegacy, writeTorchZip } from '../../../test-support/torch-pt-writer.ts';
import { writeWeightsJson, type FocusWeights } from '../../tools/model/weights.ts';
import { createDemoSlide } from '../../writers/demo/demo-slide.ts';
import { MemorySink, writeTiff } from '../../writers/tiff/writer.ts';
import buildModel from './build-model.ts';
import score from './score.ts';

function weights(c: number): FocusWeights {
  let s = 42 + c;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  const w: FocusWeights = { kernels: c, convWeight: Float32Array.from({ length: c * 147 }, () => r() * 0.3), convBias: Float32Array.from({ length: c }, r) };
  if (c > 1) {
    w.fcWeight = Float32Array.from({ length: c }, r);
    w.fcBias = Math.fround(r());
  }
  return w;
}

function image(width: number, height: number, seed: number) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([(i * seed) & 255, (i >> 3) & 255, ((i * 7) ^ seed) & 255, 255], i * 4);
  return { width, height, data };
}

async function capture(run: () => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await run();
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('focuslite build-model + score', () => {
  let dir = '';
  const w = weights(2);
  const a = image(300, 400, 3);
  const b = image(491, 240, 5);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'focuslite-cli-'));
    await writeFile(join(dir, 'w.json'), writeWeightsJson(w, { licence: 'CC0 test weights' }));
    await writeFile(join(dir, 'w-legacy.bin'), writeTorchLegacy(w, { modulePrefix: true, wrapInStateDict: true }));
    await writeFile(join(dir, 'w-zip.weights'), writeTorchZip(w));
    await writeFile(join(dir, 'a.png'), await encodePng(a));
    await writeFile(join(dir, 'b.png'), await encodePng(b));
    await writeFile(join(dir, 'small.png'), await encodePng(image(200, 500, 1)));
    await writeFile(join(dir, 'broken.png'), 'definitely not a PNG');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('build-model accepts all three formats (by content) and writes a model card', async () => {
    for (const src of ['w.json', 'w-legacy.bin', 'w-zip.weights']) {
      const out = join(dir, `m-${src}.onnx`);
      const r = await capture(() => buildModel.run(['--weights', join(dir, src), '--out', out, '--name', 'm']));
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(out)).toBe(true);
      const card = JSON.parse(readFileSync(join(dir, `m-${src}.json`), 'utf8'));
      expect(card.kernels).toBe(2);
      expect(card.parameters).toBe(299);
      expect(card.sourceWeights.file).toBe(src);
      expect(card.licence).toMatch(/^as the source weights/);
    }
    const card = JSON.parse(readFileSync(join(dir, 'm-w.json.json'), 'utf8'));
    expect(card.licence).toContain('CC0 test weights');
    // The three models are the same bytes apart from the recorded source file name.
    const sizes = ['w.json', 'w-legacy.bin', 'w-zip.weights'].map((s) => readFileSync(join(dir, `m-${s}.onnx`)).length - s.length);
    expect(new Set(sizes).size).toBe(1);
  });

  it('build-model --layout: the plain, space-to-depth and uint8 graphs score alike; a bad layout is a usage error', async () => {
    const grids: number[][] = [];
    for (const layout of ['nchw', 's2d', 'u8']) {
      const out = join(dir, `m-${layout}.onnx`);
      expect((await capture(() => buildModel.run(['--weights', join(dir, 'w.json'), '--out', out, '--layout', layout]))).code).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, `m-${layout}.json`), 'utf8')).input.shape).toEqual({ nchw: ['N', 3, 235, 235], s2d: ['N', 75, 48, 48], u8: ['N', 105, 48, 48] }[layout]);
      const r = await capture(() => score.run([join(dir, 'a.png'), '--model', out, '--json']));
      expect(r.code, r.stderr).toBe(0);
      grids.push(JSON.parse(r.stdout).results[0].patchGrid.flat());
    }
    expect(grids[0]!.length).toBeGreaterThan(1);
    for (const other of grids.slice(1)) grids[0]!.forEach((v, i) => expect(Math.abs(v - other[i]!)).toBeLessThan(1e-5));
    expect((await capture(() => buildModel.run(['--weights', join(dir, 'w.json'), '--out', join(dir, 'x.onnx'), '--layout', 'nhwc']))).code).toBe(2);
  });

  it('build-model: usage error without --out, clear error for a bad weights file', async () => {
    expect((await capture(() => buildModel.run(['--weights', join(dir, 'w.json')]))).code).toBe(2);
    await expect(buildModel.run(['--weights', join(dir, 'broken.png'), '--out', join(dir, 'x.onnx')])).rejects.toThrow(/broken.png: unrecognised content/);
  });

  it('score --json: grid and mean equal the reference; bad files reported, others still scored, exit 1', async () => {
    const model = join(dir, 'm-w.json.onnx');
    const files = ['a.png', 'broken.png', 'small.png', 'missing.png', 'b.png'].map((f) => join(dir, f));
    const r = await capture(() => score.run([...files, '--model', model, '--json']));
    expect(r.code).toBe(1);
    const errLines = r.stderr.split('\n');
    expect(errLines).toHaveLength(3);
    expect(errLines[0]).toMatch(/broken.png: not a PNG, JPEG or TIFF image$/);
    expect(errLines[1]).toMatch(/small.png: image is 200×500; FocusLiteNN needs at least 235×235 pixels$/);
    expect(errLines[2]).toMatch(/missing.png: no such file$/);
    const json = JSON.parse(r.stdout);
    expect(json.model).toBe(model);
    expect(json.results.map((x: { file: string }) => x.file)).toEqual([files[0], files[4]]);
    for (const [res, img] of [
      [json.results[0], a],
      [json.results[1], b],
    ] as const) {
      expect(Object.keys(res)).toEqual(['file', 'width', 'height', 'score', 'grade', 'verdict', 'borderline', 'patch', 'stride', 'patchGrid']);
      expect(res).toMatchObject({ grade: null, verdict: null, borderline: false }); // a card from build-model: no scale
      const ref = referenceImageScore(w, img);
      expect([res.width, res.height, res.patch, res.stride]).toEqual([img.width, img.height, 235, 128]);
      expect([res.patchGrid.length, res.patchGrid[0].length]).toEqual([ref.patchGrid.length, ref.patchGrid[0]?.length]);
      expect(Math.abs(res.score - ref.score)).toBeLessThan(1e-5);
      res.patchGrid.flat().forEach((v: number, i: number) => expect(Math.abs(v - (ref.patchGrid.flat()[i] as number))).toBeLessThan(1e-5));
    }
    expect([json.results[1].patchGrid.length, json.results[1].patchGrid[0].length]).toEqual([1, 3]);
  });

  it('score: truncated TIFF, random bytes, empty file, directory: one specific stderr line each, the rest scored, exit 1', async () => {
    const sink = new MemorySink();
    await writeTiff(sink, createDemoSlide({ width: 300, height: 260, seed: 2 }), { tileSize: 128, compression: 'jpeg' });
    const tiff = sink.toBytes();
    await writeFile(join(dir, 'good.tif'), tiff);
    await writeFile(join(dir, 'truncated.tif'), tiff.subarray(0, tiff.length >> 1));
    let s = 9;
    await writeFile(join(dir, 'random.svs'), Uint8Array.from({ length: 5000 }, () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24));
    await writeFile(join(dir, 'empty.png'), new Uint8Array(0));
    await mkdir(join(dir, 'folder.tif'), { recursive: true });
    const files = ['a.png', 'truncated.tif', 'random.svs', 'empty.png', 'folder.tif', 'good.tif'].map((f) => join(dir, f));
    const started = performance.now();
    const r = await capture(() => score.run([...files, '--model', join(dir, 'm-w.json.onnx'), '--json']));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines).toHaveLength(4);
    const prefix = (f: string) => `focuslite score: ${join(dir, f)}: `;
    expect(lines[0]).toMatch(new RegExp(`^${escape(prefix('truncated.tif'))}the file is truncated`));
    expect(lines[1]).toBe(`${prefix('random.svs')}not a PNG, JPEG or TIFF image`);
    expect(lines[2]).toBe(`${prefix('empty.png')}the file is empty (0 bytes)`);
    expect(lines[3]).toBe(`${prefix('folder.tif')}is a directory`);
    const json = JSON.parse(r.stdout);
    expect(json.results.map((x: { file: string; width: number; height: number }) => [x.file, x.width, x.height])).toEqual([
      [files[0], 300, 400],
      [files[5], 300, 260],
    ]);
  });

  it("score --model with a calibrated card beside it: the card's stain-density normalisation, grades and verdicts", async () => {
    const plain = join(dir, 'm-w.json.onnx');
    const model = join(dir, 'graded.onnx');
    await writeFile(model, readFileSync(plain));
    const card = {
      threshold: -1,
      preprocessing: { density: { method: 'mean-od', targetOd: 0.35, maxGain: 4 } },
      grade: { name: 'defocus grade', points: [[-100, 0], [-1, 5], [100, 10]], outOfFocusFrom: 5, borderline: [4, 6] },
    };
    await writeFile(join(dir, 'graded.json'), JSON.stringify(card));
    const without = JSON.parse((await capture(() => score.run([join(dir, 'a.png'), '--model', plain, '--json']))).stdout).results[0];
    const r = await capture(() => score.run([join(dir, 'a.png'), '--model', model, '--json']));
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ scale: 'defocus grade', threshold: -1 });
    const res = json.results[0];
    const { gradeOf } = await import('../../focus/grade.ts');
    const { createFocusSession, scoreImage } = await import('../../focus/session/session.ts');
    const session = await createFocusSession(readFileSync(plain));
    const normalised = await scoreImage(session, a, 128, { density: card.preprocessing.density as { method: 'mean-od'; targetOd: number; maxGain: number } });
    await session.release();
    expect(res.score).not.toBe(without.score); // the normalisation ran …
    expect(Math.abs(res.score - normalised.score)).toBeLessThan(1e-6); // … exactly as the scorer applies it
    expect(res.grade).toBeCloseTo(gradeOf({ points: card.grade.points as [number, number][] }, res.score), 10);
    expect(res.verdict).toBe(res.score >= -1 ? 'out-of-focus' : 'in-focus');
    const text = await capture(() => score.run([join(dir, 'a.png'), '--model', model]));
    expect(text.stdout).toContain('defocus grade 0–10, out of focus from 5.0');
    expect(text.stdout).toContain(res.grade.toFixed(1));

    await writeFile(join(dir, 'graded.json'), JSON.stringify({ ...card, grade: { points: [[0, 5]] } }));
    const bad = await capture(() => score.run([join(dir, 'a.png'), '--model', model]));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/model card .*graded\.json: a grade scale needs at least two \(score, grade\) points/);
  });

  it('score: --weights and --stride, readable table', async () => {
    const r = await capture(() => score.run([join(dir, 'a.png'), '--weights', join(dir, 'w-legacy.bin'), '--stride', '50']));
    expect(r.code, r.stderr).toBe(0);
    const ref = referenceImageScore(w, a, 50);
    expect(r.stdout).toContain(ref.score.toFixed(4));
    expect(r.stdout).toMatch(/4×2\s+300×400/);
  });

  it('score: missing default model says which file and how to pass --model', async () => {
    const r = await capture(() => score.run([join(dir, 'a.png'), '--model', join(dir, 'nope.onnx')]));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope.onnx: no such file/);
    expect((await capture(() => score.run(['--model', join(dir, 'm-w.json.onnx')]))).code).toBe(2);
  });
});

describe('focuslite score exit codes (the built CLI)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'focuslite-score-cli-'));
    await writeFile(join(dir, 'a.png'), await encodePng(image(300, 300, 3)));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('scored with the default model: 0; a file that cannot be read: 1', () => {
    const ok = runCli(['score', join(dir, 'a.png')]);
    expect(ok.status, ok.stderr).toBe(0);
    const missing = runCli(['score', join(dir, 'a.png'), join(dir, 'missing.png')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/missing\.png: no such file/);
  });

  it('usage errors: 2', () => {
    for (const args of [[], [join(dir, 'a.png'), '--stride', '0'], [join(dir, 'a.png'), '--batch', 'x'], [join(dir, 'a.png'), '--bogus']]) {
      const r = runCli(['score', ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
