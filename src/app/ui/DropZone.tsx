import { useState, type DragEvent, type ReactNode } from 'react';
import { useQuickCheck } from './quick-check-context.ts';

/** Drop a slide anywhere on the app to open it, or image tiles to check them (routing: src/app/check/routing.ts). */
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
        quickCheck.dropFiles(Array.from(e.dataTransfer.files));
      }}
      data-testid="drop-zone"
    >
      {children}
      {over && <div className="drop-hint">Drop a slide to open it, or image tiles to check their focus (read locally, nothing is uploaded)</div>}
    </div>
  );
}
