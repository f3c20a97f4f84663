import type { ScoreMap } from '../score-map.ts';
import { cellRect } from '../slide-grid.ts';
import { CellState } from '../cell-state.ts';
import { judgeScore, scaleValue, type VerdictScale } from '../verdict-scale.ts';

export interface FocusRegion {
  /** 1-based, worst first. */
  rank: number;
  cells: number;
  /** Level-0 bounding box of the region's cells' stride squares. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Area in mm² (when the slide's pixel size is known), else in level-0 pixels². */
  area: number;
  meanScore: number;
  maxScore: number;
  /** The region's mean and highest score on the summary's scale (grades; raw scores when uncalibrated). */
  meanValue: number;
  maxValue: number;
}

export interface QcSummary {
  /** Raw score from which a tissue cell is out of focus. */
  threshold: number;
  /** The scale values are read on: 'defocus grade', or 'raw score (uncalibrated)'. */
  scale: string;
  /** The threshold on the grade scale; null when uncalibrated. */
  outOfFocusGrade: number | null;
  /** What set the scale and threshold: 'model card', or a calibration profile's name. */
  calibration: string;
  /** Scored tissue cells within the scale's borderline band (on either side of the threshold; never flipped). */
  borderlineCells: number;
  /** Allowed percentage of tissue out of focus for a pass. */
  tolerancePercent: number;
  areaUnit: 'mm²' | 'px²';
  tissueCells: number;
  scoredTissueCells: number;
  tissueArea: number;
  outOfFocusCells: number;
  outOfFocusArea: number;
  outOfFocusPercent: number;
  regionCount: number;
  regions: FocusRegion[];
  verdict: 'pass' | 'fail';
  /** Cells of the grid looked at (scored or glass) and all cells; a partial scan says so. */
  coverage: { done: number; total: number };
  /** Cells whose pixels could not be read or decoded (shown as missing, left out of the numbers above). */
  failedCells: number;
}

/**
 * QC summary of a score map. Each tissue cell stands for its stride×stride square (the grid's patches overlap), so
 * areas add up without double counting. Out-of-focus regions are groups of out-of-focus tissue cells joined by a shared
 * side (4-connected: two blurred areas that only touch at a corner stay two regions, and each region's outline is one
 * polygon, as the GeoJSON export draws it). Borderline cells are counted, and stay on the side their score puts them.
 */
export function summarise(map: ScoreMap, scale: VerdictScale, tolerancePercent: number, mpp?: number, maxRegions = 20): QcSummary {
  const { grid } = map;
  const { threshold } = scale;
  const cellArea = mpp ? (grid.stride * mpp * 1e-3) ** 2 : grid.stride ** 2;
  const n = grid.cols * grid.rows;
  let tissueCells = 0;
  let scoredTissue = 0;
  let done = 0;
  let borderline = 0;
  const bad = new Uint8Array(n);
  for (let cell = 0; cell < n; cell++) {
    if (map.state[cell] === CellState.Done) done++;
    if (!map.isTissue(cell)) continue;
    tissueCells++;
    const score = map.scores[cell]!;
    if (!Number.isFinite(score)) continue;
    scoredTissue++;
    const judged = judgeScore(scale, score);
    if (judged.outOfFocus) bad[cell] = 1;
    if (judged.borderline) borderline++;
  }
  const { regions } = connectedRegions(map, bad, cellArea, scale);
  const outOfFocusCells = regions.reduce((s, r) => s + r.cells, 0);
  const outOfFocusPercent = scoredTissue ? (100 * outOfFocusCells) / scoredTissue : 0;
  return {
    threshold,
    scale: scale.name,
    outOfFocusGrade: scale.outOfFocusGrade ?? null,
    calibration: scale.calibration,
    borderlineCells: borderline,
    tolerancePercent,
    areaUnit: mpp ? 'mm²' : 'px²',
    tissueCells,
    scoredTissueCells: scoredTissue,
    tissueArea: tissueCells * cellArea,
    outOfFocusCells,
    outOfFocusArea: outOfFocusCells * cellArea,
    outOfFocusPercent,
    regionCount: regions.length,
    regions: regions.slice(0, maxRegions),
    verdict: outOfFocusPercent <= tolerancePercent ? 'pass' : 'fail',
    coverage: { done, total: n },
    failedCells: map.failed,
  };
}

export interface RegionCells {
  /** Worst first, as in the summary. */
  regions: FocusRegion[];
  /** Per grid cell: the index of its region in `regions`, or -1. */
  cellRegion: Int32Array;
}

/** The summary's out-of-focus regions, with the cells each is made of (for outlines and exports). */
export function regionCells(map: ScoreMap, scale: VerdictScale, mpp?: number): RegionCells {
  const bad = new Uint8Array(map.grid.cols * map.grid.rows);
  for (let cell = 0; cell < bad.length; cell++) {
    const score = map.scores[cell]!;
    if (map.isTissue(cell) && Number.isFinite(score) && judgeScore(scale, score).outOfFocus) bad[cell] = 1;
  }
  const { stride } = map.grid;
  return connectedRegions(map, bad, mpp ? (stride * mpp * 1e-3) ** 2 : stride ** 2, scale);
}

function connectedRegions(map: ScoreMap, bad: Uint8Array, cellArea: number, scale: VerdictScale): RegionCells {
  const { cols, rows, stride, patch } = map.grid;
  const label = new Int32Array(bad.length).fill(-1);
  const regions: (Omit<FocusRegion, 'rank'> & { id: number })[] = [];
  const stack: number[] = [];
  const half = patch / 2 - stride / 2;
  for (let start = 0; start < bad.length; start++) {
    if (!bad[start] || label[start]! >= 0) continue;
    const id = regions.length;
    let cells = 0;
    let sum = 0;
    let max = -Infinity;
    let c0 = Infinity, c1 = -Infinity, r0 = Infinity, r1 = -Infinity;
    label[start] = id;
    stack.push(start);
    while (stack.length) {
      const cell = stack.pop()!;
      const col = cell % cols;
      const row = Math.floor(cell / cols);
      const score = map.scores[cell]!;
      cells++;
      sum += score;
      max = Math.max(max, score);
      c0 = Math.min(c0, col); c1 = Math.max(c1, col); r0 = Math.min(r0, row); r1 = Math.max(r1, row);
      for (const [dc, dr] of SIDES) {
        const rr = row + dr;
        const cc = col + dc;
        if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
        const next = rr * cols + cc;
        if (bad[next] && label[next]! < 0) {
          label[next] = id;
          stack.push(next);
        }
      }
    }
    const first = cellRect(map.grid, r0 * cols + c0);
    regions.push({
      id,
      cells,
      x: Math.round(first.x + half),
      y: Math.round(first.y + half),
      width: (c1 - c0 + 1) * stride,
      height: (r1 - r0 + 1) * stride,
      area: cells * cellArea,
      meanScore: sum / cells,
      maxScore: max,
      meanValue: scaleValue(scale, sum / cells),
      maxValue: scaleValue(scale, max),
    });
  }
  // Worst first: the most out-of-focus area, ties broken by how blurred it is.
  regions.sort((a, b) => b.cells - a.cells || b.meanScore - a.meanScore);
  const indexOf = new Int32Array(regions.length);
  regions.forEach((r, i) => (indexOf[r.id] = i));
  const cellRegion = label.map((l) => (l >= 0 ? indexOf[l]! : -1));
  return { regions: regions.map(({ id: _, ...r }, i) => ({ rank: i + 1, ...r })), cellRegion };
}

/** Neighbours sharing a side. */
const SIDES = [[1, 0], [-1, 0], [0, 1], [0, -1]] as const;
