import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromArrayBuffer } from 'geotiff';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemoSlide } from './demo-slide.ts';
import { demoDescription, DEFAULT_PARAMS, regionsPathFor, writeDemoSlide, type GroundTruth } from './write-demo-slide.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'focuslite-demo-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const small = { width: 900, height: 600, seed: 3 };

describe('writeDemoSlide', () => {
  it('writes the TIFF and its ground truth, then skips while the parameters are unchanged', async () => {
    const path = join(dir, 'nested', 'demo.tif');
    const first = await writeDemoSlide(path, small);
    expect(first.skipped).toBe(false);
    const truth = JSON.parse(await readFile(regionsPathFor(path), 'utf8')) as GroundTruth;
    expect(truth.params).toEqual({ ...DEFAULT_PARAMS, ...small });
    expect(truth.bytes).toBe((await stat(path)).size);
    expect(truth.mpp).toBe(0.5);
    expect(truth.levels.map((l) => [l.width, l.height, l.downsample])).toEqual([
      [900, 600, 1],
      [450, 300, 2],
      [225, 150, 4],
    ]);
    // The ground truth is the generator's own plan.
    expect(truth.defocus.regions).toEqual(createDemoSlide(small).regions);
    expect(truth.defocus.regions.map((r) => r.sigma)).toEqual([1.5, 3, 6]);

    const bytes = await readFile(path);
    const tiff = await fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(await tiff.getImageCount()).toBe(3);
    const description = String(await (await tiff.getImage(0)).fileDirectory.loadValue('ImageDescription'));
    expect(description).toContain('MPP = 0.5');
    expect(description).toContain('AppMag = 20');
    expect(description).not.toMatch(/aperio/i);

    const mtime = (await stat(path)).mtimeMs;
    const again = await writeDemoSlide(path, small);
    expect(again.skipped).toBe(true);
    expect((await stat(path)).mtimeMs).toBe(mtime);

    expect((await writeDemoSlide(path, small, { force: true })).skipped).toBe(false);
    expect((await writeDemoSlide(path, { ...small, seed: 4 })).skipped).toBe(false);
    expect((await writeDemoSlide(path, { ...small, seed: 4, quality: 80 })).skipped).toBe(false);
  });

  it('rebuilds when the slide no longer matches its ground truth', async () => {
    const path = join(dir, 'demo.tif');
    await writeDemoSlide(path, small);
    await writeFile(path, 'truncated');
    expect((await writeDemoSlide(path, small)).skipped).toBe(false);
    await rm(regionsPathFor(path));
    expect((await writeDemoSlide(path, small)).skipped).toBe(false);
  });

  it('describes the OME flavour with OME-XML', () => {
    const xml = demoDescription({ ...DEFAULT_PARAMS, layout: 'subifd' });
    expect(xml).toMatch(/^<\?xml/);
    expect(xml).toContain('PhysicalSizeX="0.5"');
    expect(xml).toContain(`SizeX="${DEFAULT_PARAMS.width}"`);
  });
});
