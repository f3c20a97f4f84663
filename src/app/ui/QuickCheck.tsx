import './QuickCheck.css';
import { useEffect } from 'react';
import { useCheckStore } from '../state/check-store.ts';
import { useQuickCheck } from './quick-check-context.ts';
import { QuickCheckModal } from './QuickCheckModal.tsx';
import { QuickCheckPanel } from './QuickCheckPanel.tsx';

/** Toolbar button: shows or hides the quick check panel. */
export function QuickCheckButton() {
  const open = useCheckStore((s) => s.open);
  const count = useCheckStore((s) => s.items.length);
  return (
    <button
      type="button"
      className={open ? 'on' : ''}
      aria-pressed={open}
      onClick={() => useCheckStore.getState().set({ open: !open })}
      title="Check the focus of image tiles (PNG, JPEG, TIFF): drop or pick many at once"
      data-testid="quick-check-toggle"
    >
      Quick check{count > 0 ? ` (${count})` : ''}
    </button>
  );
}

/** The quick check panel over the viewer, its large view, and the "open or check?" question for dropped files. */
export function QuickCheck() {
  const open = useCheckStore((s) => s.open);
  const selected = useCheckStore((s) => s.selectedId);
  const pending = useCheckStore((s) => s.pendingDrop);
  return (
    <>
      {open && <QuickCheckPanel />}
      {selected !== undefined && <QuickCheckModal />}
      {pending && <DropPrompt files={pending} />}
    </>
  );
}

function DropPrompt({ files }: { files: File[] }) {
  const n = files.length;
  const what = n === 1 ? files[0]!.name : `${n} files`;
  const quickCheck = useQuickCheck();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') quickCheck.resolveDrop('cancel');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [quickCheck]);
  return (
    <div className="check-modal-backdrop" onClick={() => quickCheck.resolveDrop('cancel')}>
      <div className="drop-prompt" role="dialog" aria-modal="true" aria-label="Open or check?" data-testid="drop-prompt" onClick={(e) => e.stopPropagation()}>
        <p>
          A slide is open. What should <strong>{what}</strong> be?
        </p>
        <div className="row">
          <button type="button" onClick={() => quickCheck.resolveDrop('open')} data-testid="drop-open-slide" title="Replaces the slide now open">
            Open as slide
          </button>
          <button type="button" onClick={() => quickCheck.resolveDrop('check')} data-testid="drop-check" autoFocus>
            Check {n} file{n === 1 ? '' : 's'} for focus
          </button>
          <button type="button" onClick={() => quickCheck.resolveDrop('cancel')} data-testid="drop-cancel">
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
