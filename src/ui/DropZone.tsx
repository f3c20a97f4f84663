import { useState, type DragEvent, type ReactNode } from 'react';
import { openFile } from '../state/open-actions.ts';

/** Drop a slide anywhere on the app to open it. */
export function DropZone({ children }: { children: ReactNode }) {
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
        const file = e.dataTransfer.files[0];
        if (file) openFile(file);
      }}
      data-testid="drop-zone"
    >
      {children}
      {over && <div className="drop-hint">Drop to open the slide (read locally, nothing is uploaded)</div>}
    </div>
  );
}
