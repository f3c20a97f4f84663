import { useState } from 'react';

/** Keys OpenSeadragon handles when the viewer has focus, plus ours. Kept in sync with the README. */
export const KEYS: [string, string][] = [
  ['← ↑ → ↓ or W A S D', 'pan'],
  ['+ / −  (or = / -)', 'zoom in / out'],
  ['Shift + pan keys', 'pan faster'],
  ['0', 'home (whole slide)'],
  ['R / Shift+R', 'rotate'],
  ['F', 'flip horizontally'],
  ['H', 'heatmap on / off'],
  ['mouse wheel / pinch', 'zoom'],
  ['drag', 'pan'],
  ['double click', 'zoom in'],
  ['drag while marking', 'draw a calibration area'],
  ['Escape', 'stop marking areas'],
];

export function KeyboardHelp() {
  const [open, setOpen] = useState(false);
  return (
    <div className="keyboard-help">
      <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>
        Keys
      </button>
      {open && (
        <table className="keys-popover">
          <tbody>
            {KEYS.map(([key, what]) => (
              <tr key={key}>
                <td><kbd>{key}</kbd></td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
