import { useEffect, useId, useRef, useState } from 'react';

/**
 * The keys and pointer actions, kept in sync with the README. The viewer's keys are OpenSeadragon 6's (keyboard.ts
 * forwards them to it from anywhere but a text field); H and O are ours.
 */
export const KEYS: [string, string][] = [
  ['← ↑ → ↓ or W A S D', 'pan (hold to keep moving)'],
  ['Shift + ↑ / ↓ (or W / S)', 'zoom in / out'],
  ['+ / −  (= / -, keypad + / −)', 'zoom in / out'],
  ['0', 'home (whole slide)'],
  ['R / Shift+R', 'rotate'],
  ['F', 'flip horizontally'],
  ['H', 'heatmap on / off'],
  ['O', 'open a slide'],
  ['N / P', 'next / previous out-of-focus region (after a scan)'],
  ['← / →', 'previous / next file (quick check, large view)'],
  ['Escape', 'close this list, the large view; stop marking areas'],
  ['mouse wheel / pinch', 'zoom'],
  ['drag', 'pan'],
  ['double click', 'zoom in'],
  ['drag while marking', 'draw a calibration area'],
];

/** The Keys button and its list; Escape or a click elsewhere closes the list. */
export function KeyboardHelp() {
  const [open, setOpen] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      // Only the list closes: the same Escape must not also stop area marking or close a dialog.
      event.stopPropagation();
      setOpen(false);
      button.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      if (!(event.target instanceof Node && wrapper.current?.contains(event.target))) setOpen(false);
    };
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('pointerdown', onPointer, true);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('pointerdown', onPointer, true);
    };
  }, [open]);

  return (
    <div className="keyboard-help" ref={wrapper}>
      <button ref={button} type="button" onClick={() => setOpen(!open)} aria-expanded={open} aria-controls={open ? id : undefined} data-testid="keys-toggle">
        Keys
      </button>
      {open && (
        <div className="keys-popover" id={id} data-testid="keys-popover">
          <table>
            <caption>Keys act on the slide unless you are typing in a field.</caption>
            <tbody>
              {KEYS.map(([key, what]) => (
                <tr key={key}>
                  <td><kbd>{key}</kbd></td>
                  <td>{what}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
