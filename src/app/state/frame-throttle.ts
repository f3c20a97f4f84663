/** Runs a callback on the next display frame; returns a function that cancels it. */
export type RequestFrame = (callback: () => void) => () => void;

export const animationFrame: RequestFrame = (callback) => {
  const id = requestAnimationFrame(callback);
  return () => cancelAnimationFrame(id);
};

/**
 * Runs `run` on a display frame at most once per interval, reading the latest state when it runs; an urgent request
 * (a final state) goes to the next frame at once.
 */
export class FrameThrottle {
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private cancelFrame: (() => void) | undefined;

  constructor(
    private readonly run: () => void,
    private readonly requestFrame: RequestFrame = animationFrame,
  ) {}

  request(intervalMs: number, urgent: boolean): void {
    if (this.timer !== undefined && !urgent) return; // already scheduled: it reads the latest state when it runs
    clearTimeout(this.timer);
    const wait = urgent ? 0 : Math.max(0, this.last + intervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.cancelFrame?.();
      this.cancelFrame = this.requestFrame(() => {
        this.timer = undefined;
        this.last = performance.now();
        this.run();
      });
    }, wait);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.cancelFrame?.();
    this.cancelFrame = undefined;
  }
}
