import { describe, expect, it } from 'vitest';
import { JobQueue, type Outcome } from './queue.ts';

/** Jobs that finish when the test says so. */
function controllable() {
  const resolvers = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  let inFlight = 0;
  let maxInFlight = 0;
  const slotsInUse = new Set<number>();
  const run = (job: number, slot: number, signal: AbortSignal) =>
    new Promise<number>((resolve, reject) => {
      expect(slotsInUse.has(slot), `slot ${slot} given two jobs at once`).toBe(false);
      slotsInUse.add(slot);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const end = () => {
        inFlight--;
        slotsInUse.delete(slot);
      };
      signal.addEventListener('abort', () => end());
      resolvers.set(job, {
        resolve: (v) => {
          end();
          resolve(v);
        },
        reject: (e) => {
          end();
          reject(e);
        },
      });
    });
  return { run, resolvers, stats: () => ({ inFlight, maxInFlight }) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('JobQueue', () => {
  it('never runs more jobs than slots, hands out the rest in order as slots free, and reports every outcome', async () => {
    const c = controllable();
    const settled: [number, Outcome<number>][] = [];
    const started: number[] = [];
    let idle = 0;
    const queue = new JobQueue<number, number>(3, c.run, {
      started: (job) => started.push(job),
      settled: (job, outcome) => settled.push([job, outcome]),
      idle: () => idle++,
    });
    queue.push(...Array.from({ length: 200 }, (_, i) => i));
    expect(started).toEqual([0, 1, 2]);
    expect(queue.running).toBe(3);
    expect(queue.queued).toBe(197);

    // Finish jobs out of order, some failing; more are pushed while it runs.
    for (let round = 0; round < 250 && (queue.running > 0 || queue.queued > 0); round++) {
      const active = [...c.resolvers.keys()];
      const job = active[round % active.length]!;
      const r = c.resolvers.get(job)!;
      c.resolvers.delete(job);
      if (job % 7 === 0) r.reject(new Error(`bad ${job}`));
      else r.resolve(job * 10);
      if (round === 10) queue.push(1000, 1001);
      await tick();
      expect(c.stats().inFlight).toBeLessThanOrEqual(3);
    }
    expect(c.stats().maxInFlight).toBe(3);
    const all = [...Array.from({ length: 200 }, (_, i) => i), 1000, 1001];
    expect(started).toEqual(all); // first in, first started (the two late jobs queued behind the rest)
    expect(settled).toHaveLength(202);
    const failed = settled.filter(([, o]) => !o.ok).map(([j]) => j);
    expect(failed.sort((a, b) => a - b)).toEqual(all.filter((j) => j % 7 === 0));
    expect(settled.find(([j]) => j === 1000)?.[1]).toEqual({ ok: true, value: 10000 });
    expect(idle).toBe(1);
  });

  it('starts queued jobs in the order they were pushed', async () => {
    const c = controllable();
    const started: number[] = [];
    const queue = new JobQueue<number, number>(2, c.run, { started: (j) => started.push(j), settled: () => undefined });
    queue.push(5, 6, 7, 8);
    c.resolvers.get(6)!.resolve(0);
    await tick();
    c.resolvers.get(5)!.resolve(0);
    await tick();
    expect(started).toEqual([5, 6, 7, 8]);
  });

  it('cancel drops queued jobs, aborts running ones and reports neither', async () => {
    const c = controllable();
    const settled: number[] = [];
    const queue = new JobQueue<number, number>(2, c.run, { settled: (j) => settled.push(j) });
    queue.push(1, 2, 3, 4);
    const dropped = queue.cancel();
    expect(dropped.sort()).toEqual([1, 2, 3, 4]);
    expect(c.stats().inFlight).toBe(0);
    c.resolvers.get(1)!.resolve(1); // a late answer from an aborted job is ignored
    await tick();
    expect(settled).toEqual([]);
    expect(queue.running + queue.queued).toBe(0);
    queue.push(9);
    c.resolvers.get(9)!.resolve(90);
    await tick();
    expect(settled).toEqual([9]);
  });

  it('treats a job that throws synchronously as failed', async () => {
    const outcomes: Outcome<number>[] = [];
    const queue = new JobQueue<number, number>(1, () => {
      throw new Error('sync');
    }, { settled: (_, o) => outcomes.push(o) });
    queue.push(1, 2);
    await tick();
    await tick();
    expect(outcomes).toHaveLength(2);
    expect(outcomes.every((o) => !o.ok)).toBe(true);
  });

  it('needs a slot', () => {
    expect(() => new JobQueue(0, async () => 0, { settled: () => undefined })).toThrow(RangeError);
  });
});
