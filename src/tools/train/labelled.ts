// Training from a folder of labelled patches instead of the simulation: a CSV of path,label, or the FocusPath layout
// (images plus a label list "name,slide,strip,slice,position,score,offset", label = |offset|, the z distance).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PATCH, packWindow, SAMPLE_BYTES } from './image.ts';
import { hashSeed, Rng } from './rng.ts';
import { readImage } from './source.ts';

export interface LabelledFile {
  /** As written in the label list (the validation split hashes it, so it does not depend on where the data lives). */
  name: string;
  path: string;
  label: number;
}

/** Parses a label list; paths are resolved against `baseDir`. */
export function parseLabelList(text: string, baseDir: string, source = 'labels'): LabelledFile[] {
  const out: LabelledFile[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cols = line.split(',').map((c) => c.trim());
    let label: number;
    if (cols.length >= 7) label = Math.abs(Number(cols[6])); // FocusPath: signed focus offset
    else if (cols.length >= 2) label = Number(cols[cols.length - 1]);
    else throw new Error(`${source}:${i + 1}: expected "path,label"`);
    if (!Number.isFinite(label)) {
      if (i === 0) return; // a header row
      throw new Error(`${source}:${i + 1}: label '${cols[cols.length >= 7 ? 6 : cols.length - 1]}' is not a number`);
    }
    out.push({ name: cols[0]!, path: resolve(baseDir, cols[0]!), label });
  });
  if (out.length === 0) throw new Error(`${source}: no labelled files`);
  return out;
}

/** `--data` as a CSV/TXT file, or a folder holding one label list (*.csv or *labels*.txt). */
export function readLabelledData(data: string): LabelledFile[] {
  if (!existsSync(data)) throw new Error(`--data ${data}: no such file or folder`);
  if (statSync(data).isDirectory()) {
    const lists = readdirSync(data).filter((f) => /\.csv$/i.test(f) || /labels.*\.txt$/i.test(f));
    if (lists.length !== 1) {
      throw new Error(`--data ${data}: expected exactly one label list (*.csv or *labels*.txt) in the folder, found ${lists.length ? lists.join(', ') : 'none'}`);
    }
    const list = join(data, lists[0]!);
    return parseLabelList(readFileSync(list, 'utf8'), data, list);
  }
  return parseLabelList(readFileSync(data, 'utf8'), dirname(data), data);
}

/** Files of the validation split: a fixed share chosen by a hash of the name (stable across runs and machines). */
export function isValidationFile(name: string, share: number, seed: number): boolean {
  let h = seed >>> 0;
  for (let i = 0; i < name.length; i++) h = hashSeed(h, name.charCodeAt(i));
  return h / 4294967296 < share;
}

/**
 * Packs `count` random 235×235 crops, cycling through the files (sample i uses file i mod n, so every file is used
 * equally often) into `out`. Each file is decoded once.
 */
export async function packLabelledCrops(files: LabelledFile[], count: number, seed: number, out: Uint8Array): Promise<Float64Array> {
  const labels = new Float64Array(count);
  if (files.length === 0) return labels;
  for (let f = 0; f < files.length && f < count; f++) {
    const file = files[f]!;
    const img = await readImage(file.path);
    if (img.width < PATCH || img.height < PATCH) throw new Error(`${file.path}: ${img.width}×${img.height} is smaller than ${PATCH}×${PATCH}`);
    for (let i = f; i < count; i += files.length) {
      const rng = new Rng(hashSeed(seed, 0xda7a, i));
      const x = rng.int(img.width - PATCH + 1);
      const y = rng.int(img.height - PATCH + 1);
      packWindow(img, x, y, out, i * SAMPLE_BYTES);
      labels[i] = file.label;
    }
  }
  return labels;
}
