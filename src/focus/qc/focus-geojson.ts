import type { ScoreMap } from '../score-map.ts';
import { scaleValue, type VerdictScale } from '../verdict-scale.ts';
import { cellRings, ringArea } from './cell-outline.ts';
import { regionCells } from './summary.ts';
import type { ReviewDecision } from './report.ts';

export const GEOJSON_SCHEMA = 'focuslite-geojson/1';

/** QuPath's class for what this export marks; one class, one colour (QuPath keys colours by class name). */
export const OUT_OF_FOCUS_CLASS = { name: 'Out of focus', color: [255, 59, 48] as [number, number, number] };

type Position = [number, number];
export interface PolygonFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Polygon'; coordinates: Position[][] };
  properties: {
    objectType: 'annotation' | 'detection';
    name: string;
    classification: { name: string; color: [number, number, number] };
    isLocked?: boolean;
    measurements: Record<string, number>;
  };
}

export interface FocusGeoJson {
  type: 'FeatureCollection';
  /** A foreign member (RFC 7946 §6.1): what the outlines were made from. */
  focuslite: {
    schema: typeof GEOJSON_SCHEMA;
    slide: string;
    model: string;
    scale: string;
    threshold: number;
    outOfFocusGrade: number | null;
    calibration: string;
    /** The reviewer's decision on the slide (as in the scan report), and their note. */
    decision: ReviewDecision | null;
    decisionNote?: string;
    generatedAt: string;
  };
  features: PolygonFeature[];
}

export interface FocusGeoJsonInput {
  map: ScoreMap;
  scale: VerdictScale;
  /** µm per level-0 pixel, when known: areas in mm². */
  mpp?: number;
  slideName: string;
  modelId: string;
  /** Also one detection per out-of-focus cell (its stride square), with its score. Default true. */
  cells?: boolean;
  decision?: ReviewDecision | null;
  decisionNote?: string;
  now?: Date;
}

/**
 * The out-of-focus regions (and cells) of a score map as GeoJSON in the form QuPath imports as objects: a
 * FeatureCollection of Polygons in level-0 pixel coordinates, each with `objectType`, a `classification` and
 * `measurements`. A region is one annotation whose polygon (with holes) covers exactly its cells' stride squares — the
 * squares the QC summary counts — so the regions are the summary's, in its order (worst first); each out-of-focus
 * cell is a detection square carrying its score.
 */
export function focusGeoJson(input: FocusGeoJsonInput): FocusGeoJson {
  const { map, scale } = input;
  const { cols, stride, patch } = map.grid;
  const offset = patch / 2 - stride / 2; // a cell's stride square is centred on its patch
  const toPixels = ([c, r]: Position): Position => [offset + c * stride, offset + r * stride];
  const { regions, cellRegion } = regionCells(map, scale, input.mpp);
  const graded = scale.grade !== undefined;
  const areaName = input.mpp ? 'Area mm²' : 'Area px²';
  const boxes = regionBoxes(map, cellRegion, regions.length);

  const features: PolygonFeature[] = regions.map((region, k) => {
    const rings = regionRings(map, cellRegion, k, boxes[k]);
    const measurements: Record<string, number> = {
      Cells: region.cells,
      [areaName]: region.area,
      'Mean score': region.meanScore,
      'Max score': region.maxScore,
      ...(graded ? { 'Mean defocus grade': region.meanValue, 'Max defocus grade': region.maxValue } : {}),
    };
    return {
      type: 'Feature',
      id: `focus-region-${region.rank}`,
      geometry: { type: 'Polygon', coordinates: rings },
      properties: { objectType: 'annotation', name: `Out of focus ${region.rank}`, classification: OUT_OF_FOCUS_CLASS, isLocked: false, measurements },
    };
  });

  if (input.cells ?? true) {
    cellRegion.forEach((k, cell) => {
      if (k < 0) return;
      const c = cell % cols;
      const r = Math.floor(cell / cols);
      const score = map.scores[cell]!;
      const square: Position[] = [[c, r], [c + 1, r], [c + 1, r + 1], [c, r + 1], [c, r]];
      features.push({
        type: 'Feature',
        id: `focus-cell-${cell}`,
        geometry: { type: 'Polygon', coordinates: [square.map(toPixels)] },
        properties: {
          objectType: 'detection',
          name: `Cell ${c},${r} (region ${k + 1})`,
          classification: OUT_OF_FOCUS_CLASS,
          measurements: { Score: score, ...(graded ? { 'Defocus grade': scaleValue(scale, score) } : {}), Region: k + 1 },
        },
      });
    });
  }

  return {
    type: 'FeatureCollection',
    focuslite: {
      schema: GEOJSON_SCHEMA,
      slide: input.slideName,
      model: input.modelId,
      scale: scale.name,
      threshold: scale.threshold,
      outOfFocusGrade: scale.outOfFocusGrade ?? null,
      calibration: scale.calibration,
      decision: input.decision ?? null,
      ...(input.decisionNote ? { decisionNote: input.decisionNote } : {}),
      generatedAt: (input.now ?? new Date()).toISOString(),
    },
    features,
  };
}

/** Each region's cells' bounding box in grid cells, so tracing a region reads only its own part of the grid. */
export function regionBoxes(map: ScoreMap, cellRegion: Int32Array, count: number): { col0: number; row0: number; col1: number; row1: number }[] {
  const { cols, rows } = map.grid;
  const boxes = Array.from({ length: count }, () => ({ col0: cols, row0: rows, col1: -1, row1: -1 }));
  cellRegion.forEach((k, cell) => {
    if (k < 0) return;
    const b = boxes[k]!;
    const c = cell % cols;
    const r = Math.floor(cell / cols);
    b.col0 = Math.min(b.col0, c);
    b.col1 = Math.max(b.col1, c);
    b.row0 = Math.min(b.row0, r);
    b.row1 = Math.max(b.row1, r);
  });
  return boxes;
}

/**
 * The outline of region `k` of regionCells() in level-0 pixels: its exterior ring, then its holes, covering exactly
 * its cells' stride squares (centred on each patch). The GeoJSON export and the app's region review draw this.
 */
export function regionRings(map: ScoreMap, cellRegion: Int32Array, k: number, box?: { col0: number; row0: number; col1: number; row1: number }): Position[][] {
  const { cols, rows, stride, patch } = map.grid;
  const offset = patch / 2 - stride / 2;
  const rings = cellRings(cols, rows, (c, r) => cellRegion[r * cols + c] === k, box ?? regionBoxes(map, cellRegion, k + 1)[k]);
  // One exterior per 4-connected region (cell-outline.ts), then its holes.
  rings.sort((a, b) => ringArea(b) - ringArea(a));
  return rings.map((ring) => ring.map(([c, r]): Position => [offset + c * stride, offset + r * stride]));
}
