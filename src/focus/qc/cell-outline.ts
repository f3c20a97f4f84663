/**
 * Outlines of a set of grid cells as polygon rings, in grid-corner coordinates (corner (c, r) is the top-left of
 * cell (c, r)). Each cell side with the set on one side only is a boundary edge, directed so that the set lies on its
 * left when y points up (clockwise on a y-down screen): exterior rings have a positive shoelace area and holes a
 * negative one, GeoJSON's right-hand rule (RFC 7946 §3.1.6) on the raw coordinates.
 * Meant for one 4-connected set of cells (a focus region): where two of its cells touch only at a corner, the walk
 * turns away from the cell it came along, following the boundary of the empty cell beside it. The two empty cells at
 * such a corner are always one outside and one in a hole (the cells' other connection encloses one), so the outline
 * and the hole each pass the corner once: simple rings that touch at a point, as simple-feature polygons allow.
 */
export type Ring = [number, number][];

export function cellRings(cols: number, rows: number, inside: (col: number, row: number) => boolean, bounds = { col0: 0, row0: 0, col1: cols - 1, row1: rows - 1 }): Ring[] {
  const on = (c: number, r: number) => c >= 0 && r >= 0 && c < cols && r < rows && inside(c, r);
  const W = cols + 1;
  const key = (x: number, y: number) => y * W + x;
  // Outgoing boundary edges per corner: at most two (a corner where the set touches itself diagonally).
  const out = new Map<number, [number, number][]>();
  const add = (x0: number, y0: number, x1: number, y1: number) => {
    const k = key(x0, y0);
    const list = out.get(k);
    if (list) list.push([x1, y1]);
    else out.set(k, [[x1, y1]]);
  };
  for (let r = bounds.row0; r <= bounds.row1; r++) {
    for (let c = bounds.col0; c <= bounds.col1; c++) {
      if (!on(c, r)) continue;
      if (!on(c, r - 1)) add(c, r, c + 1, r); // top side, walking right
      if (!on(c + 1, r)) add(c + 1, r, c + 1, r + 1); // right side, walking down
      if (!on(c, r + 1)) add(c + 1, r + 1, c, r + 1); // bottom side, walking left
      if (!on(c - 1, r)) add(c, r + 1, c, r); // left side, walking up
    }
  }
  const rings: Ring[] = [];
  for (const [start, firstList] of out) {
    while (firstList.length) {
      const x0 = start % W;
      const y0 = Math.floor(start / W);
      const ring: Ring = [[x0, y0]];
      let [x, y] = firstList.pop()!;
      let dx = x - x0;
      let dy = y - y0;
      while (x !== x0 || y !== y0) {
        const list = out.get(key(x, y))!;
        // At a corner shared diagonally, turn away from the set (see above).
        let best = 0;
        if (list.length > 1) {
          let bestTurn = Infinity;
          list.forEach(([nx, ny], i) => {
            const turn = dx * (ny - y) - dy * (nx - x); // < 0: a turn away from the side the set lies on
            if (turn < bestTurn) {
              bestTurn = turn;
              best = i;
            }
          });
        }
        const [nx, ny] = list.splice(best, 1)[0]!;
        if (nx - x !== dx || ny - y !== dy) ring.push([x, y]); // keep corners only
        dx = nx - x;
        dy = ny - y;
        x = nx;
        y = ny;
      }
      // The start corner is a vertex unless the ring runs straight through it.
      const [fx, fy] = ring[1] ?? ring[0]!;
      if (ring.length > 1 && Math.sign(fx - x0) === Math.sign(dx) && Math.sign(fy - y0) === Math.sign(dy)) ring.shift();
      ring.push([...ring[0]!]);
      rings.push(ring);
    }
  }
  return rings;
}

/** Shoelace area: positive for exterior rings, negative for holes (see cellRings). */
export function ringArea(ring: Ring): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) a += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return a / 2;
}
