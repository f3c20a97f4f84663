// `focuslite scan --out` writes the report PNG through the same image-building function as the app's export
// (heatmap/report-image.ts buildReportImage): decoding the CLI's PNG gives exactly that function's pixels.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildFocusModel } from '../../tools/model/onnx-builder.ts';
import { createDemoSlide } from '../../writers/demo/demo-slide.ts';
import { MemorySink, writeTiff } from '../../writers/tiff/writer.ts';
import { buildReportImage } from '../../heatmap/report-image.ts';
import { openSlideFile } from '../../slide/node.ts';
import { scanSlideFile } from '../../workers/node-scan.ts';
import scan from './scan.ts';

function model(): Uint8Array {
  let s = 7;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return buildFocusModel({ kernels: 1, convWeight: Float32Array.from({ length: 147 }, () => r() * 0.3), convBias: Float32Array.from({ length: 1 }, r) });
}

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
      expect(code).toBe(0);
    } finally {
      quiet.mockRestore();
    }
    const png = PNG.sync.read(readFileSync(join(dir, 'slide.focus.png')));

    // The same scan again (scores are deterministic) and the options the CLI uses by default.
    const { map } = await scanSlideFile(slidePath, { model: readFileSync(join(dir, 'm.onnx')), workers: 0 });
    expect(map.scored).toBeGreaterThan(10);
    const slide = await openSlideFile(slidePath);
    const image = await buildReportImage(slide, map, 500, { colormap: 'viridis', normaliser: map.range.normaliser()!, opacity: 0.6, threshold: 0.5 });
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
