// DICOM series (a level per file) made by a real converter from the shared slides: the pyramid, byte-identical JPEG
// tiles, JPEG 2000, and the refusals (several series, files that are not DICOM, no VOLUME image).
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test-support/cli.ts';
import { buildDicom } from '../../../test-support/dicom-fixture.ts';
import { dicomize, hasDicomizer, SKIP_DICOMIZER } from '../../../test-support/dicomizer.ts';
import { hasShared, sharedPath, SKIP_SHARED_MESSAGE } from '../../../test-support/shared.ts';
import { BufferSource } from '../bytes/blob-source.ts';
import { nodeCodecs, openSlideFile } from '../node.ts';
import { openSlides } from '../open.ts';
import { SlideError, type SlideSource } from '../types.ts';

const ready = hasShared && hasDicomizer;
const why = !hasShared ? SKIP_SHARED_MESSAGE : SKIP_DICOMIZER;

function differing(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe.skipIf(!ready)(`DICOM series from OrthancWSIDicomizer${ready ? '' : ` (${why})`}`, () => {
  const dirs: string[] = [];
  let jpeg = '';
  let tiff: SlideSource;
  beforeAll(async () => {
    jpeg = dicomize(sharedPath('slides/derived/CMU-1-pyramid-jpeg.tif'));
    dirs.push(jpeg);
    tiff = await openSlideFile(sharedPath('slides/derived/CMU-1-pyramid-jpeg.tif'));
  });
  afterAll(() => {
    tiff?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a folder opens as the pyramid, its JPEG tiles decoding to exactly the TIFF’s pixels at every level', async () => {
    const slide = await openSlideFile(jpeg);
    try {
      expect(slide.info.format).toBe('dicom');
      expect(slide.info.levels.map((l) => [l.width, l.height])).toEqual(tiff.info.levels.map((l) => [l.width, l.height]));
      for (let level = 0; level < slide.info.levels.length; level++) {
        const { width, height } = slide.info.levels[level]!;
        const w = Math.min(700, width);
        const h = Math.min(600, height);
        const x = Math.floor((width - w) / 2);
        const y = Math.floor((height - h) / 2);
        const [a, b] = await Promise.all([slide.readRegion(level, x, y, w, h), tiff.readRegion(level, x, y, w, h)]);
        expect(differing(a.data, b.data), `level ${level}`).toBe(0);
      }
    } finally {
      slide.close();
    }
  });

  it('a series with a level missing opens with the levels it has', async () => {
    const gap = join(jpeg, '..', `${jpeg.split('/').pop()}-gap`);
    dirs.push(gap);
    mkdirSync(gap);
    const files = readdirSync(jpeg).filter((n) => n.endsWith('.dcm')).sort();
    for (const f of files.filter((_, i) => i !== 1)) copyFileSync(join(jpeg, f), join(gap, f)); // the second level is gone
    const slide = await openSlideFile(gap);
    try {
      expect(slide.info.levels.map((l) => l.width)).toEqual(tiff.info.levels.filter((_, i) => i !== 1).map((l) => l.width));
      const [a, b] = await Promise.all([slide.readRegion(1, 0, 0, 400, 400), tiff.readRegion(2, 0, 0, 400, 400)]);
      expect(differing(a.data, b.data)).toBe(0);
    } finally {
      slide.close();
    }
  });

  it('the CLI scans the files of a series given together as one slide', () => {
    const files = readdirSync(jpeg).filter((n) => n.endsWith('.dcm')).map((n) => join(jpeg, n));
    const r = runCli(['scan', ...files, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const reports = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { slide: { name: string; levels: unknown[] } });
    expect(reports).toHaveLength(1);
    expect(reports[0]!.slide.name).toMatch(/^series-[0-9.]+$/);
    expect(reports[0]!.slide.levels).toHaveLength(5);
  });

  it('the CLI scans a series folder as it scans the TIFF: the same scores', () => {
    const dicom = runCli(['scan', jpeg, '--json']);
    const tif = runCli(['scan', sharedPath('slides/derived/CMU-1-pyramid-jpeg.tif'), '--json']);
    expect(dicom.status, dicom.stderr).toBe(0);
    const a = JSON.parse(dicom.stdout) as { slide: { format: string; levels: unknown[] }; patches: { score: number | null }[] };
    const b = JSON.parse(tif.stdout) as typeof a;
    expect(a.slide.format).toBe('dicom');
    expect(a.slide.levels).toHaveLength(5);
    expect(a.patches.map((p) => p.score)).toEqual(b.patches.map((p) => p.score));
  });

  it('JPEG 2000 (re-encoded) opens with the same pyramid and close pixels', async () => {
    const j2k = dicomize(sharedPath('slides/derived/CMU-1-pyramid-jpeg.tif'), ['--compression', 'jpeg2000', '--reencode', '1']);
    dirs.push(j2k);
    const slide = await openSlideFile(j2k);
    try {
      expect(slide.info.compression).toMatch(/JPEG 2000/);
      expect(slide.info.levels).toHaveLength(5);
      const [a, b] = await Promise.all([slide.readRegion(0, 600, 900, 512, 512), tiff.readRegion(0, 600, 900, 512, 512)]);
      let sum = 0;
      for (let i = 0; i < a.data.length; i += 4) for (let c = 0; c < 3; c++) sum += Math.abs(a.data[i + c]! - b.data[i + c]!);
      expect(sum / (512 * 512 * 3)).toBeLessThan(2);
    } finally {
      slide.close();
    }
  });

  it('refuses two series at once, and a folder without DICOM files, saying so', async () => {
    const other = dicomize(sharedPath('slides/derived/TCGA-CR-7395-pyramid-jpeg.tif'));
    dirs.push(other);
    const both = join(jpeg, '..', `${jpeg.split('/').pop()}-mixed`);
    dirs.push(both);
    mkdirSync(both);
    for (const [dir, prefix] of [[jpeg, 'a'], [other, 'b']] as const) for (const f of readdirSync(dir).filter((n) => n.endsWith('.dcm'))) copyFileSync(join(dir, f), join(both, `${prefix}-${f}`));
    await expect(openSlideFile(both)).rejects.toThrow(/the files belong to 2 DICOM series \(.*: 5 files; .*: \d+ files\); open one series at a time/);
    const empty = join(both, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'not a slide');
    await expect(openSlideFile(empty)).rejects.toThrow(/a folder without DICOM files/);
  });
});

describe('DICOM series refusals (fixtures)', () => {
  const tile = new Uint8Array(16 * 16 * 3).fill(128);
  const fixture = (imageType: string) => buildDicom({ width: 16, height: 16, tile: 16, frames: [tile], syntax: '1.2.840.10008.1.2.1', imageType });

  it('a file that is not DICOM among the series files is named', async () => {
    const sources = [new BufferSource(fixture('ORIGINAL\\PRIMARY\\VOLUME\\NONE'), 'a.dcm'), new BufferSource(new Uint8Array(500), 'readme.txt')];
    await expect(openSlides('series', sources, nodeCodecs)).rejects.toThrow(/readme\.txt: not a DICOM file \(no DICM preamble\)/);
  });

  it('a series of only a label and an overview has no tissue to show', async () => {
    const sources = [new BufferSource(fixture('ORIGINAL\\PRIMARY\\LABEL\\NONE'), 'label.dcm'), new BufferSource(fixture('ORIGINAL\\PRIMARY\\OVERVIEW\\NONE'), 'overview.dcm')];
    const err = await openSlides('series', sources, nodeCodecs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlideError);
    expect((err as Error).message).toMatch(/series: the series has no VOLUME image \(only label, overview\)/);
  });

  it('joins the parts of a concatenation into one level; another instance of the same size is listed as not read', async () => {
    const tiles = [0, 1, 2, 3].map((i) => new Uint8Array(16 * 16 * 3).fill(i * 60));
    const part = (frames: Uint8Array[], offset: number) => buildDicom({ width: 32, height: 32, tile: 16, frames, syntax: '1.2.840.10008.1.2.1', concatenation: { uid: '1.2.3.99', offset } });
    const slide = await openSlides('series', [new BufferSource(part(tiles.slice(2), 2), 'part-2.dcm'), new BufferSource(part(tiles.slice(0, 2), 0), 'part-1.dcm')], nodeCodecs);
    expect(slide.info.levels).toHaveLength(1);
    const img = await slide.readRegion(0, 0, 0, 32, 32);
    expect([0, 1, 2, 3].map((t) => img.data[((t >> 1) * 16 * 32 + (t & 1) * 16) * 4])).toEqual([0, 60, 120, 180]);
    const other = buildDicom({ width: 32, height: 32, tile: 16, frames: tiles, syntax: '1.2.840.10008.1.2.1' });
    const two = await openSlides('series', [new BufferSource(other, 'plane-1.dcm'), new BufferSource(other, 'plane-2.dcm')], nodeCodecs);
    expect(two.info.warnings).toEqual([expect.stringMatching(/plane-2\.dcm: a second 32×32 instance \(another focal plane or optical path\) is not read/)]);
  });

  it('labels and thumbnails beside the volumes are not levels', async () => {
    const big = buildDicom({ width: 32, height: 32, tile: 16, frames: [tile, tile, tile, tile], syntax: '1.2.840.10008.1.2.1' });
    const sources = [new BufferSource(fixture('ORIGINAL\\PRIMARY\\LABEL\\NONE'), 'label.dcm'), new BufferSource(big, 'volume.dcm'), new BufferSource(fixture('DERIVED\\PRIMARY\\THUMBNAIL\\RESAMPLED'), 'thumb.dcm')];
    const slide = await openSlides('series', sources, nodeCodecs);
    expect(slide.info.levels.map((l) => l.width)).toEqual([32]);
    slide.close();
  });
});
