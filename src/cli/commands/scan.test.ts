// `focuslite scan`: the report PNG is the app's export image (heatmap/report-image.ts buildReportImage), and the exit
// codes are as documented: 0 all read and PASS, 3 all read but a QC FAIL, 1 a slide unreadable (winning over a FAIL),
// 2 usage errors (the exit codes through the built CLI). There the threshold decides the verdict: above every score
// nothing is out of focus (PASS), below every score all tissue is (FAIL).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../test-support/cli.ts';
import { decodeToRgba } from '../../../test-support/encode-image.ts';
import { buildFocusModel } from '../../tools/model/onnx-builder.ts';
import { createDemoSlide } from '../../writers/demo/demo-slide.ts';
import { MemorySink, writeTiff } from '../../writers/tiff/writer.ts';
import { buildReportImage, reportCaption } from '../../heatmap/report-image.ts';
import { openSlideFile } from '../../slide/node.ts';
import { scanSlideFile } from '../../workers/node-scan.ts';
import { EXIT } from '../exit-codes.ts';
import scan, { reportStem } from './scan.ts';

function model(): Uint8Array {
  let s = 7;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return buildFocusModel({ kernels: 1, convWeight: Float32Array.from({ length: 147 }, () => r() * 0.3), convBias: Float32Array.from({ length: 1 }, r) });
}

describe('report file names', () => {
  it('drop a slide file\'s extension only: a DICOM series or folder keeps its dots, so series differing in the last UID part do not share files', () => {
    expect(reportStem('CMU-1.svs')).toBe('CMU-1');
    expect(reportStem('a.ome.tif')).toBe('a.ome');
    expect(reportStem('series-1.2.3.4')).toBe('series-1.2.3.4');
    expect(reportStem('series-1.2.3.5')).not.toBe(reportStem('series-1.2.3.4'));
    expect(reportStem('case.17')).toBe('case.17');
  });
});

describe('focuslite scan: report PNG', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'focuslite-scan-'));
    const sink = new MemorySink();
    await writeTiff(sink, createDemoSlide({ width: 1400, height: 1000, seed: 4 }), { tileSize: 256, compression: 'jpeg' });
    await writeFile(join(dir, 'slide.tif'), sink.toBytes());
    await writeFile(join(dir, 'm.onnx'), model());
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has the pixels of buildReportImage for the same map and options', async () => {
    const slidePath = join(dir, 'slide.tif');
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const code = await scan.run([slidePath, '--model', join(dir, 'm.onnx'), '--out', dir, '--threshold', '0.5', '--png-width', '500', '--workers', '0']);
      const verdict = JSON.parse(readFileSync(join(dir, 'slide.focus.json'), 'utf8')).summary.verdict;
      expect(code).toBe(verdict === 'fail' ? EXIT.qcFail : EXIT.ok);
    } finally {
      quiet.mockRestore();
    }
    const png = await decodeToRgba(readFileSync(join(dir, 'slide.focus.png')));

    // The same scan again (scores are deterministic) and the options the CLI uses by default.
    const { map } = await scanSlideFile(slidePath, { model: readFileSync(join(dir, 'm.onnx')), workers: 0 });
    expect(map.scored).toBeGreaterThan(10);
    const slide = await openSlideFile(slidePath);
    const report = JSON.parse(readFileSync(join(dir, 'slide.focus.json'), 'utf8'));
    const image = await buildReportImage(slide, map, 500, { colormap: 'viridis', normaliser: map.range.normaliser()!, opacity: 0.6, threshold: 0.5, caption: reportCaption(report) });
    slide.close();

    expect([png.width, png.height]).toEqual([image.width, image.height]);
    expect(png.width).toBe(500);
    expect(Buffer.from(png.data).equals(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength))).toBe(true);
    // Not a blank or grayscale picture: the heatmap is in it.
    let coloured = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] !== png.data[i + 1] || png.data[i + 1] !== png.data[i + 2]) coloured++;
    expect(coloured).toBeGreaterThan(1000);
  });
});

const cliDir = mkdtempSync(join(tmpdir(), 'focuslite-scan-cli-'));
const demoSlide = join(cliDir, 'demo.tif');
const PASS = ['--threshold=1e9'];
const FAIL = ['--threshold=-1e9'];
afterAll(() => rmSync(cliDir, { recursive: true, force: true }));

beforeAll(() => {
  const made = runCli(['demo-slide', '--out', demoSlide, '--width', '640', '--height', '512', '--quiet']);
  expect(made.status, made.stderr).toBe(EXIT.ok);
});

const scanCli = (...args: string[]) => runCli(['scan', '--workers', '1', '--json', ...args]);
const verdicts = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line).summary.verdict as string);

describe('focuslite scan exit codes', () => {
  it('every slide read and PASSed: 0', () => {
    const r = scanCli(demoSlide, ...PASS);
    expect(r.status, r.stderr).toBe(EXIT.ok);
    expect(verdicts(r.stdout)).toEqual(['pass']);
  });

  it('every slide read, one FAILed QC: 3', () => {
    const r = scanCli(demoSlide, ...FAIL);
    expect(r.status, r.stderr).toBe(EXIT.qcFail);
    expect(verdicts(r.stdout)).toEqual(['fail']);
    expect(r.stderr).toMatch(/: FAIL/);
  });

  it('a slide that cannot be read: 1, also when another slide FAILed QC', () => {
    writeFileSync(join(cliDir, 'junk.svs'), 'not a slide');
    const unreadable = scanCli(join(cliDir, 'junk.svs'), demoSlide, ...PASS);
    expect(unreadable.status).toBe(EXIT.failed);
    expect(verdicts(unreadable.stdout)).toEqual(['pass']);
    const both = scanCli(demoSlide, join(cliDir, 'missing.tif'), ...FAIL);
    expect(both.status).toBe(EXIT.failed);
    expect(both.stderr).toMatch(/missing\.tif: no such file/);
    expect(verdicts(both.stdout)).toEqual(['fail']);
  });

  it('a model file that cannot be read: 1', () => {
    const r = scanCli(demoSlide, '--model', join(cliDir, 'nope.onnx'));
    expect(r.status).toBe(EXIT.failed);
    expect(r.stderr).toMatch(/nope\.onnx not found/);
  });

  it('--engine onnxruntime gives the default engine\'s scores bit for bit; --engine u8-kernel refuses a model it cannot run', () => {
    const scores = (stdout: string) => (JSON.parse(stdout.trim().split('\n')[0]!).patches as { score: number | null }[]).map((p) => p.score);
    const auto = scanCli(demoSlide, ...PASS);
    const ort = scanCli(demoSlide, ...PASS, '--engine', 'onnxruntime');
    expect(ort.status, ort.stderr).toBe(EXIT.ok);
    expect(scores(auto.stdout).filter((v) => v !== null).length).toBeGreaterThan(5);
    expect(scores(ort.stdout)).toEqual(scores(auto.stdout));
    const floatModel = join(cliDir, 'float.onnx');
    writeFileSync(floatModel, buildFocusModel(randomFloatWeights(), { layout: 'nchw' }));
    const refused = scanCli(demoSlide, '--model', floatModel, '--engine', 'u8-kernel', '--threshold=0');
    expect(refused.status).toBe(EXIT.failed);
    expect(refused.stderr).toMatch(/not this project's one-digit 'u8' graph/);
  });

  it('usage errors: 2', () => {
    for (const args of [[], [demoSlide, '--engine', 'gpu'], [demoSlide, '--colormap', 'plaid'], [demoSlide, '--stride', '0'], [demoSlide, '--threshold'], [demoSlide, '--bogus']]) {
      const r = scanCli(...args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.usage);
    }
  });
});

describe('focuslite scan --calibration', () => {
  let dir = '';
  const grade = { name: 'defocus grade', points: [[-50, 0], [0, 5], [50, 10]], outOfFocusFrom: 4, borderline: [3, 5] };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'focuslite-calib-'));
    const sink = new MemorySink();
    await writeTiff(sink, createDemoSlide({ width: 900, height: 700, seed: 5 }), { tileSize: 256, compression: 'jpeg' });
    await writeFile(join(dir, 'slide.tif'), sink.toBytes());
    await writeFile(join(dir, 'm.onnx'), model());
    // A card with a grade scale whose threshold is the score at its out-of-focus grade (4 → −10).
    await writeFile(join(dir, 'm.json'), JSON.stringify({ name: 'm', threshold: -10, grade }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const profile = (over: Record<string, unknown> = {}) =>
    JSON.stringify({ format: 'focuslite-calibration/1', name: 'Scanner 2 · H&E', model: 'm', scale: 'defocus grade', outOfFocusFrom: 7, ...over });

  it('moves the out-of-focus point to the profile and names the profile in the report', async () => {
    writeFileSync(join(dir, 'p.json'), profile());
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await scan.run([join(dir, 'slide.tif'), '--model', join(dir, 'm.onnx'), '--out', dir, '--calibration', join(dir, 'p.json'), '--workers', '0']);
    } finally {
      quiet.mockRestore();
    }
    const { summary } = JSON.parse(readFileSync(join(dir, 'slide.focus.json'), 'utf8'));
    expect(summary.calibration).toBe('Scanner 2 · H&E');
    expect(summary.outOfFocusGrade).toBe(7);
    expect(summary.threshold).toBeCloseTo(20, 10); // grade 7 on the card's curve
  });

  it('refuses a profile of another model, a file that is not a profile, and both --threshold and --calibration', async () => {
    writeFileSync(join(dir, 'other.json'), profile({ model: 'focuslite-2kernel' }));
    writeFileSync(join(dir, 'bad.json'), '{"format":"x"}');
    const slide = join(dir, 'slide.tif');
    const m = join(dir, 'm.onnx');
    const other = runCli(['scan', slide, '--model', m, '--calibration', join(dir, 'other.json')]);
    expect(other.status).toBe(EXIT.failed);
    expect(other.stderr).toMatch(/fitted with focuslite-2kernel, not m/);
    const bad = runCli(['scan', slide, '--model', m, '--calibration', join(dir, 'bad.json')]);
    expect(bad.status).toBe(EXIT.failed);
    expect(bad.stderr).toMatch(/not a calibration profile/);
    const both = runCli(['scan', slide, '--model', m, '--threshold', '1', '--calibration', join(dir, 'p.json')]);
    expect(both.status).toBe(EXIT.usage);
  });
});

/** A 1-kernel model's weights off the 8-bit grid (so only onnxruntime can run them). */
function randomFloatWeights() {
  return { kernels: 1, convWeight: Float32Array.from({ length: 147 }, (_, i) => Math.sin(i * 1.3) * 0.05), convBias: Float32Array.of(0.1) };
}
