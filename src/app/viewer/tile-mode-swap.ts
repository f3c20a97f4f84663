import type OpenSeadragon from 'openseadragon';

/**
 * Switches the slide's tiles between colour and grayscale (the slide under the heatmap) without blanking the view:
 * the new mode's image is added on top of the shown one, which stays drawn underneath until every tile of the new
 * one is in (`fully-loaded-change`), and only then removed. Resetting the image instead (OpenSeadragon's
 * `TiledImage.reset`) left the viewer empty for the ~0.3 s the workers took to render the view again — on every
 * heatmap toggle. The two images' tile URLs differ by mode (see createSlideTileSource), so they share no cached tiles.
 */
export class TileModeSwap {
  /** The mode of the image at the bottom of the world (the one shown while a swap is under way). */
  private shown: boolean;
  /** The image on its way in, and its mode; `item` is set once OpenSeadragon has added it. */
  private pending: { gray: boolean; item?: OpenSeadragon.TiledImage; cancelled: boolean; stop?: () => void } | undefined;

  constructor(
    private readonly viewer: OpenSeadragon.Viewer,
    private readonly sourceFor: (gray: boolean) => OpenSeadragon.TileSource,
    gray: boolean,
  ) {
    this.shown = gray;
  }

  /** The mode the viewer shows, or will once the image on its way in has loaded. */
  get mode(): boolean {
    return this.pending?.gray ?? this.shown;
  }

  /** Shows the slide in `gray` mode (grayscale or colour), keeping the current image until the new one is drawn. */
  want(gray: boolean): void {
    if (gray === this.mode) return;
    this.cancelPending();
    if (gray === this.shown) return; // back to the image still on screen: nothing to load
    const pending: NonNullable<TileModeSwap['pending']> = { gray, cancelled: false };
    this.pending = pending;
    const world = this.viewer.world;
    this.viewer.addTiledImage({
      tileSource: this.sourceFor(gray),
      index: world.getItemCount(),
      success: (event: unknown) => {
        const item = (event as { item: OpenSeadragon.TiledImage }).item;
        if (pending.cancelled) {
          world.removeItem(item);
          return;
        }
        pending.item = item;
        const onLoaded = (e: { fullyLoaded: boolean }) => {
          if (e.fullyLoaded) this.finish(pending);
        };
        item.addHandler('fully-loaded-change', onLoaded);
        pending.stop = () => item.removeHandler('fully-loaded-change', onLoaded);
        if (item.getFullyLoaded()) this.finish(pending);
      },
    });
  }

  /** Drops an image still on its way in (another slide is opened, or the viewer goes). */
  destroy(): void {
    this.cancelPending();
  }

  private finish(pending: NonNullable<TileModeSwap['pending']>): void {
    if (this.pending !== pending || !pending.item) return;
    pending.stop?.();
    this.pending = undefined;
    this.shown = pending.gray;
    const world = this.viewer.world;
    for (let i = world.getItemCount() - 1; i >= 0; i--) {
      const item = world.getItemAt(i);
      if (item !== pending.item) world.removeItem(item);
    }
  }

  private cancelPending(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    pending.cancelled = true;
    pending.stop?.();
    if (pending.item && this.viewer.world.getIndexOfItem(pending.item) >= 0) this.viewer.world.removeItem(pending.item);
  }
}
