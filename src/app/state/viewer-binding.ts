import type OpenSeadragon from 'openseadragon';
import type { ScoreMap } from '../../focus/score-map.ts';
import type { Rect } from '../../focus/slide-grid.ts';
import type { OverlayStyle } from '../../heatmap/overlay.ts';

/** What draws the scores over the viewer: HeatmapOverlay in the page, a stand-in in tests. */
export interface ScoreOverlay {
  update(map: ScoreMap | undefined, style: OverlayStyle): void;
  destroy(): void;
}

/** The heatmap's hold on one OpenSeadragon viewer: its two handlers, the level-0 view rectangle and the overlay. */
export class ViewerBinding {
  constructor(
    readonly viewer: OpenSeadragon.Viewer,
    readonly overlay: ScoreOverlay,
    private readonly events: { viewChanged: () => void; opened: () => void },
  ) {
    viewer.addHandler('viewport-change', events.viewChanged);
    viewer.addHandler('open', events.opened);
  }

  /** An image is open in the viewer. */
  hasImage(): boolean {
    return this.viewer.world.getItemAt(0) !== undefined;
  }

  /** The viewer is still loading the image of the current view (OpenSeadragon's tiles for it are not all drawn). */
  imageLoading(): boolean {
    const world = this.viewer.world;
    // Any image: a colour ↔ grayscale swap loads a second one over the first (TileModeSwap).
    for (let i = 0; i < world.getItemCount(); i++) if (!world.getItemAt(i).getFullyLoaded()) return true;
    return false;
  }

  /** The level-0 rectangle on screen, or undefined while no image is open. */
  viewRect(): Rect | undefined {
    const item = this.viewer.world.getItemAt(0);
    if (!item) return undefined;
    const r = item.viewportToImageRectangle(this.viewer.viewport.getBounds(true));
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  }

  destroy(): void {
    this.overlay.destroy();
    this.viewer.removeHandler('viewport-change', this.events.viewChanged);
    this.viewer.removeHandler('open', this.events.opened);
  }
}
