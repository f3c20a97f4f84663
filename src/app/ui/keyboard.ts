// Global keyboard shortcuts: the one rule for "is the user typing?", and the viewer's navigation keys made to work
// wherever the focus is (OpenSeadragon listens on its own canvas only, so they did nothing until the slide was clicked).
import type OpenSeadragon from 'openseadragon';
import { useEffect } from 'react';

/** Keys in a text field, select, contenteditable etc. belong to it, not to the app's shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName));
}

/** A modal dialog is open (the quick check's large view, the drop question): its keys are its own. */
export function modalOpen(): boolean {
  return document.querySelector('[aria-modal="true"]') !== null;
}

/**
 * A plain key (no Ctrl, Alt or Meta) pressed outside any text field or modal dialog: what a single-letter shortcut
 * such as H or O answers to.
 */
export function isShortcut(event: KeyboardEvent): boolean {
  return !event.ctrlKey && !event.metaKey && !event.altKey && !event.defaultPrevented && !isTyping(event.target) && !modalOpen();
}

/**
 * The physical keys (KeyboardEvent.code) OpenSeadragon 6 acts on, with the legacy keyCode its handler reads for the
 * one-shot ones (0 home, R rotate, F flip). Arrows/WASD pan while held (Shift+↑/↓ zoom), = and - zoom.
 */
export const VIEWER_KEYS: Readonly<Record<string, number>> = {
  ArrowUp: 38,
  ArrowDown: 40,
  ArrowLeft: 37,
  ArrowRight: 39,
  KeyW: 87,
  KeyA: 65,
  KeyS: 83,
  KeyD: 68,
  Equal: 187,
  Minus: 189,
  NumpadAdd: 107,
  NumpadSubtract: 109,
  Digit0: 48,
  Numpad0: 96,
  KeyR: 82,
  KeyF: 70,
};

/** The numeric keypad's +, − and 0 act as the main row's (OpenSeadragon knows only those). */
const ALIAS: Readonly<Record<string, string>> = { NumpadAdd: 'Equal', NumpadSubtract: 'Minus', Numpad0: 'Digit0' };

/**
 * Sends a key to OpenSeadragon's canvas as if it had the focus. A copy of the event is dispatched there (not the
 * focus moved: keyboard users keep their place in the toolbar); its keyCode is set on the copy, as the KeyboardEvent
 * constructor ignores it in Firefox and OpenSeadragon reads it for 0, R and F.
 */
function forward(viewer: OpenSeadragon.Viewer, event: KeyboardEvent): void {
  const code = ALIAS[event.code] ?? event.code;
  const copy = new KeyboardEvent(event.type, { key: event.key, code, shiftKey: event.shiftKey, bubbles: false, cancelable: true });
  const keyCode = VIEWER_KEYS[code] ?? 0;
  Object.defineProperty(copy, 'keyCode', { get: () => keyCode });
  viewer.canvas.dispatchEvent(copy);
}

/**
 * While mounted, the viewer's navigation keys work from anywhere on the page except text fields, modal dialogs and
 * panels covering the viewer (`covered()`). Key releases always reach the viewer, so a pan held while the focus
 * moved into a field still stops.
 */
export function useViewerKeys(viewer: OpenSeadragon.Viewer | undefined, covered: () => boolean): void {
  useEffect(() => {
    if (!viewer) return;
    // On its own canvas OpenSeadragon handles the keys itself, except the keypad's.
    const ownKey = (event: KeyboardEvent) => !(event.code in ALIAS) && event.target instanceof Node && viewer.canvas.contains(event.target);
    const onDown = (event: KeyboardEvent) => {
      if (!(event.code in VIEWER_KEYS) || ownKey(event) || !isShortcut(event) || covered()) return;
      if (!viewer.world.getItemAt(0)) return;
      forward(viewer, event);
      event.preventDefault(); // no page or panel scroll
    };
    const onUp = (event: KeyboardEvent) => {
      if (event.code in VIEWER_KEYS && !ownKey(event)) forward(viewer, event);
    };
    window.addEventListener('keydown', onDown);
    window.addEventListener('keyup', onUp);
    return () => {
      window.removeEventListener('keydown', onDown);
      window.removeEventListener('keyup', onUp);
    };
  }, [viewer, covered]);
}
