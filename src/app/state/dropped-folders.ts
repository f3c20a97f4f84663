// Folders dropped on the app: the browser hands over directory entries (FileSystemDirectoryEntry), read here into the
// files they hold, subfolders included. A dropped folder is opened as one DICOM series, like "Open DICOM folder…".

/** The parts of the File and Directory Entries API used here (a subset, so tests can give their own). */
export interface DroppedEntry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(success: (file: File) => void, failure?: (err: unknown) => void): void;
  createReader?(): { readEntries(success: (entries: DroppedEntry[]) => void, failure?: (err: unknown) => void): void };
}

/** Folders deeper than this are not read (a dropped series is a folder or two deep, not a whole disk). */
const MAX_DEPTH = 8;
/** More files than this in the dropped folders is not one slide. */
export const MAX_FOLDER_FILES = 10_000;

/** Every file under the entries, in folder order; fails naming the folder that holds too many. */
export async function filesOfEntries(entries: readonly DroppedEntry[], depth = 0): Promise<File[]> {
  const files: File[] = [];
  for (const entry of entries) {
    if (entry.isFile && entry.file) {
      files.push(await new Promise<File>((resolve, reject) => entry.file!(resolve, reject)));
    } else if (entry.isDirectory && entry.createReader && depth < MAX_DEPTH) {
      const reader = entry.createReader();
      // readEntries answers in batches (100 at a time in Chromium) until an empty one.
      for (;;) {
        const batch = await new Promise<DroppedEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        files.push(...(await filesOfEntries(batch, depth + 1)));
        if (files.length > MAX_FOLDER_FILES) throw new Error(`The folder ${entry.name} holds more than ${MAX_FOLDER_FILES} files: drop the folder of one series.`);
      }
    }
    if (files.length > MAX_FOLDER_FILES) throw new Error(`The dropped folders hold more than ${MAX_FOLDER_FILES} files: drop the folder of one series.`);
  }
  return files;
}
