/**
 * The slide in grayscale under the heatmap, made in the worker that renders the tile: the luma of each pixel
 * (Rec. 709 weights, as CSS `grayscale(1)`), in place. A CSS filter on the viewer's canvas did this before, but without
 * a GPU the compositor re-filtered the whole viewer on every frame (a fifth of the browser's CPU in bench:viewer).
 */
export function grayscaleInPlace(rgba: Uint8ClampedArray): void {
  for (let i = 0; i < rgba.length; i += 4) {
    // 54 + 183 + 19 = 256: 0.2126, 0.7152, 0.0722 in 8-bit fixed point, rounded.
    const y = (rgba[i]! * 54 + rgba[i + 1]! * 183 + rgba[i + 2]! * 19 + 128) >> 8;
    rgba[i] = y;
    rgba[i + 1] = y;
    rgba[i + 2] = y;
  }
}
