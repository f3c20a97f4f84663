import { describe, expect, it } from 'vitest';
import { filesOfEntries, MAX_FOLDER_FILES, type DroppedEntry } from './dropped-folders.ts';

const file = (name: string): DroppedEntry => ({ isFile: true, isDirectory: false, name, file: (ok) => ok(new File(['x'], name)) });
/** A folder whose reader answers in batches of `batch`, as Chromium's does (100), then an empty batch. */
const folder = (name: string, children: DroppedEntry[], batch = 100): DroppedEntry => ({
  isFile: false,
  isDirectory: true,
  name,
  createReader: () => {
    let at = 0;
    return {
      readEntries: (ok) => {
        const next = children.slice(at, at + batch);
        at += batch;
        setTimeout(() => ok(next), 0);
      },
    };
  },
});

describe('filesOfEntries', () => {
  it('reads every batch of a folder, subfolders included, and files dropped beside it', async () => {
    const levels = Array.from({ length: 250 }, (_, i) => file(`level-${i}.dcm`));
    const files = await filesOfEntries([folder('series', [...levels, folder('labels', [file('label.dcm')])]), file('notes.txt')]);
    expect(files.map((f) => f.name)).toEqual([...levels.map((l) => l.name), 'label.dcm', 'notes.txt']);
  });

  it('refuses a folder with more files than one slide has, naming it', async () => {
    const many = Array.from({ length: MAX_FOLDER_FILES + 1 }, (_, i) => file(`${i}.dcm`));
    await expect(filesOfEntries([folder('archive', many, 1000)])).rejects.toThrow(/archive holds more than/);
  });

  it('passes on a file that cannot be read', async () => {
    const broken: DroppedEntry = { isFile: true, isDirectory: false, name: 'gone.dcm', file: (_, fail) => fail?.(new Error('NotFoundError: gone.dcm')) };
    await expect(filesOfEntries([folder('series', [broken])])).rejects.toThrow(/gone\.dcm/);
  });
});
