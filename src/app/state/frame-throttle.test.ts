import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameThrottle, type RequestFrame } from './frame-throttle.ts';

const FRAME_MS = 16;
const nextFrame: RequestFrame = (callback) => {
  const t = setTimeout(callback, FRAME_MS);
  return () => clearTimeout(t);
};

beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
afterEach(() => void vi.useRealTimers());

describe('FrameThrottle', () => {
  it('runs once for many requests made before it runs', () => {
    const run = vi.fn();
    const throttle = new FrameThrottle(run, nextFrame);
    for (let i = 0; i < 10; i++) throttle.request(100, false);
    vi.runAllTimers();
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('waits out the interval since the last run, unless the request is urgent', () => {
    const run = vi.fn();
    const throttle = new FrameThrottle(run, nextFrame);
    throttle.request(250, false);
    vi.runAllTimers();
    expect(run).toHaveBeenCalledTimes(1);
    throttle.request(250, false);
    vi.advanceTimersByTime(200);
    expect(run).toHaveBeenCalledTimes(1); // still inside the 250 ms interval
    throttle.request(250, true); // a final state: the next frame
    vi.advanceTimersByTime(FRAME_MS);
    expect(run).toHaveBeenCalledTimes(2);
    vi.runAllTimers();
    expect(run).toHaveBeenCalledTimes(2); // the earlier request was folded into the urgent one
  });

  it('runs nothing after cancel', () => {
    const run = vi.fn();
    const throttle = new FrameThrottle(run, nextFrame);
    throttle.request(100, false);
    throttle.cancel();
    vi.runAllTimers();
    expect(run).not.toHaveBeenCalled();
  });
});
