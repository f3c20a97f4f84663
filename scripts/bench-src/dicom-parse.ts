// Bundled and run by scripts/bench-dicom-parse.mjs: this project's DICOM header parsing against dicom-parser's.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { firstItem, integer, parseDataset, Tags } from '../../src/slide/dicom/dataset.ts';
import { readInstance } from '../../src/slide/dicom/dicom-slide.ts';
import { NodeFileSource } from '../../src/slide/node.ts';
import type { ByteSource } from '../../src/slide/types.ts';

interface DicomParserElement {
  items?: { dataSet: { elements: Record<string, DicomParserElement | undefined>; int32(tag: string): number | undefined } }[];
}
const dicomParser = createRequire(import.meta.url)('dicom-parser') as { parseDicom(bytes: Uint8Array, options: { untilTag: string }): { elements: Record<string, DicomParserElement | undefined> } };

const median = (f: () => unknown, reps = 5) => {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  return ts.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
};

export async function compare(path: string): Promise<string> {
  const file = new Uint8Array(readFileSync(path));
  const metaEnd = 144 + new DataView(file.buffer, file.byteOffset).getUint32(140, true);
  let ours = 0;
  let theirs = 0;
  const oursMs = median(() => {
    const pf = parseDataset(file, 0, metaEnd, true, true, path).dataset.get(Tags.PerFrameFunctionalGroupsSequence)?.items ?? [];
    ours = pf.filter((it) => integer(firstItem(it, Tags.PlanePositionSlideSequence), Tags.ColumnPositionInTotalImagePixelMatrix) !== undefined).length;
  });
  const theirsMs = median(() => {
    const pf = dicomParser.parseDicom(file, { untilTag: 'x7fe00010' }).elements.x52009230?.items ?? [];
    theirs = pf.filter((it) => it.dataSet.elements.x0048021a?.items?.[0]?.dataSet.int32('x0048021e') !== undefined).length;
  });
  // The reader itself, from the file: header in growing reads, fragment headers through a window; bytes read counted.
  const opens: { ms: number; read: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const inner = await NodeFileSource.open(path);
    let read = 0;
    const counting: ByteSource = { name: inner.name, size: inner.size, read: (o, n) => ((read += n), inner.read(o, n)), close: () => inner.close() };
    const t = performance.now();
    await readInstance(counting);
    opens.push({ ms: performance.now() - t, read });
    inner.close();
  }
  const open = opens.sort((a, b) => a.ms - b.ms)[2]!;
  return (
    `  ${path.split('/').pop()}: ${(file.length / 1e6).toFixed(1)} MB, ${ours} per-frame items (dicom-parser: ${theirs}); ` +
    `header parse from memory: this project ${oursMs.toFixed(1)} ms, dicom-parser ${theirsMs.toFixed(1)} ms; ` +
    `the reader opening the file: ${open.ms.toFixed(0)} ms, ${(open.read / 1e6).toFixed(2)} MB read`
  );
}
