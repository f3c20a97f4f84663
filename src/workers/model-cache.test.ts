import { describe, expect, it } from 'vitest';
import { MAX_SESSIONS, SessionCache } from './model-cache.ts';

/** A stand-in session that records its release. */
class FakeSession {
  released = 0;
  constructor(readonly url: string) {}
  async release(): Promise<void> {
    this.released++;
  }
}

function fakeLoader(fail: (url: string) => boolean = () => false) {
  const loaded: FakeSession[] = [];
  const load = async (url: string) => {
    if (fail(url)) throw new Error(`cannot load ${url}`);
    const s = new FakeSession(url);
    loaded.push(s);
    return s;
  };
  return { load, loaded };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('SessionCache', () => {
  it('loads each URL once while it stays cached', async () => {
    const { load, loaded } = fakeLoader();
    const cache = new SessionCache(load);
    const a1 = await cache.get('a');
    const a2 = await cache.get('a');
    expect(a1).toBe(a2);
    expect(loaded).toHaveLength(1);
  });

  it(`keeps at most ${MAX_SESSIONS} sessions and releases the least recently used`, async () => {
    const { load, loaded } = fakeLoader();
    const cache = new SessionCache(load);
    const a = await cache.get('a');
    const b = await cache.get('b');
    await cache.get('a'); // a is now the most recently used
    const c = await cache.get('c');
    await settle();
    expect(cache.urls).toEqual(['a', 'c']);
    expect([a.released, b.released, c.released]).toEqual([0, 1, 0]);
    const b2 = await cache.get('b'); // loaded again, evicting a
    await settle();
    expect(b2).not.toBe(b);
    expect(a.released).toBe(1);
    expect(loaded.map((s) => s.url)).toEqual(['a', 'b', 'c', 'b']);
  });

  it('forgets a failed load, so the next get tries again, and never releases twice', async () => {
    let failing = true;
    const { load, loaded } = fakeLoader(() => failing);
    const cache = new SessionCache(load, 1);
    await expect(cache.get('m')).rejects.toThrow('cannot load m');
    await settle();
    expect(cache.urls).toEqual([]);
    failing = false;
    const m = await cache.get('m');
    await cache.get('n');
    await cache.get('o');
    await settle();
    expect(loaded.map((s) => [s.url, s.released])).toEqual([
      ['m', 1],
      ['n', 1],
      ['o', 0],
    ]);
    expect(m.released).toBe(1);
  });
});
