import { describe, expect, it } from 'vitest';
import { LruCache } from './lru.ts';

const bytes = (s: string) => s.length;

describe('LruCache', () => {
  it('evicts the least recently used entries once the summed bytes pass the bound', () => {
    const cache = new LruCache<string, string>(10, bytes);
    cache.set('a', 'aaaa');
    cache.set('b', 'bbbb');
    expect(cache.bytes).toBe(8);
    cache.set('c', 'cc'); // exactly at the bound: nothing goes
    expect(cache.size).toBe(3);
    cache.set('d', 'd'); // 11 bytes: the oldest (a) goes
    expect(cache.get('a')).toBeUndefined();
    expect(cache.bytes).toBe(7);
    expect([cache.get('b'), cache.get('c'), cache.get('d')]).toEqual(['bbbb', 'cc', 'd']);
  });

  it('counts a read as a use: the entry read survives, the one not read goes', () => {
    const cache = new LruCache<string, string>(8, bytes);
    cache.set('a', 'aaaa');
    cache.set('b', 'bbbb');
    expect(cache.get('a')).toBe('aaaa');
    cache.set('c', 'cc');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('aaaa');
    expect(cache.get('c')).toBe('cc');
  });

  it('tells onEvict of the values dropped for room, and of no others', () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, string>(6, bytes, (v) => evicted.push(v));
    cache.set('a', 'aa');
    cache.set('b', 'bb');
    cache.set('b', 'BB'); // replaced: not evicted
    cache.delete('a'); // deleted: not evicted
    cache.set('c', 'cc');
    cache.set('d', 'ddd');
    expect(evicted).toEqual(['BB']);
    cache.clear();
    expect(evicted).toEqual(['BB']);
  });

  it('may evict several entries for one large value', () => {
    const cache = new LruCache<string, string>(6, bytes);
    cache.set('a', 'aa');
    cache.set('b', 'bb');
    cache.set('c', 'cc');
    cache.set('d', 'ddddd');
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(5);
    expect(cache.get('d')).toBe('ddddd');
  });

  it('does not keep an entry larger than the bound, and drops the old value under that key', () => {
    const cache = new LruCache<string, string>(4, bytes);
    cache.set('a', 'aa');
    cache.set('b', 'bb');
    cache.set('a', 'aaaaa');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('bb');
    expect(cache.bytes).toBe(2);
  });

  it('replacing a value re-counts its bytes and makes it the most recent', () => {
    const cache = new LruCache<string, string>(6, bytes);
    cache.set('a', 'aaa');
    cache.set('b', 'bb');
    cache.set('a', 'a');
    expect(cache.bytes).toBe(3);
    cache.set('c', 'cccc'); // 7 bytes: b (now the oldest) goes, not a
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('a');
    expect(cache.bytes).toBe(5);
  });

  it('deletes and clears with the byte count kept right', () => {
    const cache = new LruCache<number, string>(100, bytes);
    cache.set(1, 'xx');
    cache.set(2, 'yyy');
    cache.delete(1);
    cache.delete(42);
    expect(cache.bytes).toBe(3);
    expect(cache.size).toBe(1);
    cache.clear();
    expect(cache.bytes).toBe(0);
    expect(cache.size).toBe(0);
  });
});
