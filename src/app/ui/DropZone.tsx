import { useState, type DragEvent, type ReactNode } from 'react';
import { useQuickCheck } from './quick-check-context.ts';
import { openDroppedFolders } from '../state/open-actions.ts';
import type { DroppedEntry } from '../state/dropped-folders.ts';

/**
 * Drop a slide anywhere on the app to open it, or image tiles to check them (routing: src/app/check/routing.ts), or a
 * folder holding a DICOM series.
 */
export function DropZone({ children }: { children: ReactNode }) {
  const quickCheck = useQuickCheck();
  const [over, setOver] = useState(false);
  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');

  return (
    <div
      className={over ? 'drop-zone over' : 'drop-zone'}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setOver(false);
      }}
      onDrop={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setOver(false);
        // Entries must be taken while the drop event runs; a folder among them opens as a DICOM series.
        const entries = Array.from(e.dataTransfer.items).flatMap((item) => item.webkitGetAsEntry?.() ?? []);
        if (entries.some((entry) => entry.isDirectory)) openDroppedFolders(entries as unknown as DroppedEntry[]);
        else quickCheck.dropFiles(Array.from(e.dataTransfer.files));
      }}
      data-testid="drop-zone"
    >
      {children}
      {over && <div className="drop-hint">Drop a slide (or the folder of a DICOM series) to open it, or image tiles to check their focus (read locally, nothing is uploaded)</div>}
    </div>
  );
}
