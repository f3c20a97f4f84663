import { describe, expect, it } from 'vitest';
import { cellRings, ringArea, type Ring } from './cell-outline.ts';

const grid = (rows: string[]) => ({ cols: rows[0]!.length, rows: rows.length, inside: (c: number, r: number) => rows[r]![c] === '#' });
const rings = (rows: string[]) => {
  const g = grid(rows);
  return cellRings(g.cols, g.rows, g.inside);
};

/** Cells whose centre is inside the rings by the even-odd rule: what the rings enclose. */
function covered(rs: Ring[], cols: number, rows: number): string[] {
  const inRing = (ring: Ring, x: number, y: number) => {
    let inside = false;
    for (let i = 0, j = ring.length - 2; i < ring.length - 1; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => (rs.filter((ring) => inRing(ring, c + 0.5, r + 0.5)).length % 2 ? '#' : '.')).join(''));
}

describe('cellRings', () => {
  it('outlines one cell as a closed square with a positive area (exterior, right-hand rule)', () => {
    const [ring, ...rest] = rings(['#']);
    expect(rest).toEqual([]);
    expect(ring).toHaveLength(5);
    expect(ring![0]).toEqual(ring![4]);
    expect(ringArea(ring!)).toBe(1);
  });

  it('keeps only the corners of straight runs', () => {
    const [ring] = rings(['###', '###']);
    expect(ring).toHaveLength(5);
    expect(ringArea(ring!)).toBe(6);
  });

  it('gives a hole as a ring of negative area, and the rings cover exactly the cells', () => {
    const shape = ['#####', '#...#', '#.#.#', '#...#', '#####'];
    const rs = rings(shape);
    expect(rs.map(ringArea).sort((a, b) => a - b)).toEqual([-9, 1, 25]);
    expect(covered(rs, 5, 5)).toEqual(shape);
  });

  it('traces a hole that touches the outline at a corner as its own ring', () => {
    // A ring of cells around one empty cell, pinched at a corner: the walk must not cross itself there.
    const shape = ['###', '#.#', '##.'];
    const rs = rings(shape);
    expect(rs.filter((r) => ringArea(r) > 0)).toHaveLength(1);
    expect(rs.filter((r) => ringArea(r) < 0)).toHaveLength(1);
    expect(covered(rs, 3, 3)).toEqual(shape);
    for (const ring of rs) expect(new Set(ring.slice(0, -1).map(String)).size).toBe(ring.length - 1); // simple: no repeated vertex
  });

  it('outlines each 4-connected part of random cell sets exactly: one exterior, simple rings, the right area', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const cols = 11;
    const rows = 9;
    for (let t = 0; t < 100; t++) {
      const on = Array.from({ length: rows }, () => Array.from({ length: cols }, () => rand() < 0.55));
      const part = new Int32Array(cols * rows).fill(-1);
      let parts = 0;
      for (let i = 0; i < part.length; i++) {
        if (!on[Math.floor(i / cols)]![i % cols] || part[i]! >= 0) continue;
        const stack = [i];
        part[i] = parts;
        while (stack.length) {
          const j = stack.pop()!;
          const c = j % cols;
          const r = Math.floor(j / cols);
          for (const [cc, rr] of [[c + 1, r], [c - 1, r], [c, r + 1], [c, r - 1]] as const) {
            const k = rr * cols + cc;
            if (cc >= 0 && rr >= 0 && cc < cols && rr < rows && on[rr]![cc] && part[k]! < 0) {
              part[k] = parts;
              stack.push(k);
            }
          }
        }
        parts++;
      }
      const all: Ring[] = [];
      for (let p = 0; p < parts; p++) {
        const rs = cellRings(cols, rows, (c, r) => part[r * cols + c] === p);
        expect(rs.filter((r) => ringArea(r) > 0)).toHaveLength(1);
        for (const ring of rs) expect(new Set(ring.slice(0, -1).map(String)).size).toBe(ring.length - 1);
        expect(rs.reduce((s, r) => s + ringArea(r), 0)).toBe(part.filter((q) => q === p).length);
        all.push(...rs);
      }
      expect(covered(all, cols, rows)).toEqual(on.map((row) => row.map((v) => (v ? '#' : '.')).join('')));
    }
  });
});
