import OpenSeadragon from 'openseadragon';
import type { ExampleLabel, MarkedArea } from '../../focus/area-examples.ts';
import type { Rect } from '../../focus/slide-grid.ts';

/** Shorter drags than this (screen px) are clicks, not areas. */
const MIN_DRAG_PX = 6;

const LABEL_TEXT: Record<ExampleLabel, string> = { 'in-focus': 'sharp', 'out-of-focus': 'blurred' };

/**
 * Marked areas on an OpenSeadragon viewer: draws them as overlays that follow the view, and while `drawing` is set
 * turns a drag into a new level-0 rectangle (mouse navigation is off meanwhile; Escape stops drawing).
 */
export class AreaMarker {
  private readonly shown = new Map<number, HTMLElement>();
  private drawing?: ExampleLabel;
  private drag?: { x0: number; y0: number; box: HTMLDivElement; pointer: number };

  constructor(
    private readonly viewer: OpenSeadragon.Viewer,
    private readonly events: { added: (label: ExampleLabel, rect: Rect) => void; stop: () => void },
  ) {
    viewer.canvas.addEventListener('pointerdown', this.down);
    viewer.canvas.addEventListener('pointermove', this.move);
    viewer.canvas.addEventListener('pointerup', this.up);
    viewer.canvas.addEventListener('pointercancel', this.cancel);
    window.addEventListener('keydown', this.key);
  }

  setDrawing(label: ExampleLabel | undefined): void {
    this.drawing = label;
    this.viewer.setMouseNavEnabled(label === undefined);
    this.viewer.canvas.classList.toggle('drawing-area', label !== undefined);
    if (!label) this.cancel();
  }

  /** Shows exactly these areas (by id), each labelled with its kind and number of examples. */
  show(areas: readonly MarkedArea[], captions: ReadonlyMap<number, string>): void {
    const item = this.viewer.world.getItemAt(0);
    for (const [id, el] of this.shown) {
      if (!areas.some((a) => a.id === id) || !item) {
        this.viewer.removeOverlay(el);
        this.shown.delete(id);
      }
    }
    if (!item) return;
    for (const area of areas) {
      let el = this.shown.get(area.id);
      if (!el) {
        el = document.createElement('div');
        el.className = `marked-area ${area.label}`;
        el.dataset.testid = 'marked-area';
        el.dataset.label = area.label;
        const { x, y, width, height } = area.rect;
        this.viewer.addOverlay({ element: el, location: item.imageToViewportRectangle(x, y, width, height) });
        this.shown.set(area.id, el);
      }
      el.textContent = `${LABEL_TEXT[area.label]} ${area.id}${captions.get(area.id) ? ` · ${captions.get(area.id)}` : ''}`;
    }
  }

  destroy(): void {
    this.setDrawing(undefined);
    for (const el of this.shown.values()) this.viewer.removeOverlay(el);
    this.shown.clear();
    this.viewer.canvas.removeEventListener('pointerdown', this.down);
    this.viewer.canvas.removeEventListener('pointermove', this.move);
    this.viewer.canvas.removeEventListener('pointerup', this.up);
    this.viewer.canvas.removeEventListener('pointercancel', this.cancel);
    window.removeEventListener('keydown', this.key);
  }

  private local(event: PointerEvent): { x: number; y: number } {
    const r = this.viewer.canvas.getBoundingClientRect();
    return { x: event.clientX - r.left, y: event.clientY - r.top };
  }

  private readonly down = (event: PointerEvent): void => {
    if (!this.drawing || event.button !== 0 || !this.viewer.world.getItemAt(0)) return;
    event.preventDefault();
    const { x, y } = this.local(event);
    const box = document.createElement('div');
    box.className = `area-draft ${this.drawing}`;
    this.viewer.canvas.appendChild(box);
    this.viewer.canvas.setPointerCapture?.(event.pointerId);
    this.drag = { x0: x, y0: y, box, pointer: event.pointerId };
    this.place(x, y);
  };

  private readonly move = (event: PointerEvent): void => {
    if (!this.drag || event.pointerId !== this.drag.pointer) return;
    const { x, y } = this.local(event);
    this.place(x, y);
  };

  private readonly up = (event: PointerEvent): void => {
    const drag = this.drag;
    const item = this.viewer.world.getItemAt(0);
    if (!drag || event.pointerId !== drag.pointer) return;
    this.cancel();
    const { x, y } = this.local(event);
    if (!this.drawing || !item || Math.abs(x - drag.x0) < MIN_DRAG_PX || Math.abs(y - drag.y0) < MIN_DRAG_PX) return;
    const toImage = (px: number, py: number) => item.viewportToImageCoordinates(this.viewer.viewport.pointFromPixel(new OpenSeadragon.Point(px, py), true));
    const a = toImage(Math.min(x, drag.x0), Math.min(y, drag.y0));
    const b = toImage(Math.max(x, drag.x0), Math.max(y, drag.y0));
    const size = item.getContentSize();
    const x0 = Math.max(0, Math.round(a.x));
    const y0 = Math.max(0, Math.round(a.y));
    const x1 = Math.min(size.x, Math.round(b.x));
    const y1 = Math.min(size.y, Math.round(b.y));
    if (x1 > x0 && y1 > y0) this.events.added(this.drawing, { x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
  };

  private readonly cancel = (): void => {
    this.drag?.box.remove();
    this.drag = undefined;
  };

  private readonly key = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.drawing) this.events.stop();
  };

  private place(x: number, y: number): void {
    const d = this.drag!;
    Object.assign(d.box.style, { left: `${Math.min(x, d.x0)}px`, top: `${Math.min(y, d.y0)}px`, width: `${Math.abs(x - d.x0)}px`, height: `${Math.abs(y - d.y0)}px` });
  }
}
