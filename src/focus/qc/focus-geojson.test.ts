import { check } from '@placemarkio/check-geojson';
import { describe, expect, it } from 'vitest';
import { ScoreMap } from '../score-map.ts';
import { slideGrid } from '../slide-grid.ts';
import { rawScale } from '../verdict-scale.ts';
import { focusGeoJson, GEOJSON_SCHEMA, type PolygonFeature } from './focus-geojson.ts';
import { summarise } from './summary.ts';

/** A 12×10-cell map with blurred cells drawn as '#' (score 5), glass as 'g', the rest sharp (score 0). */
function mapOf(rows: string[]): ScoreMap {
  const cols = rows[0]!.length;
  const grid = slideGrid(128 * (cols - 1) + 235, 128 * (rows.length - 1) + 235);
  const map = new ScoreMap(grid);
  const cells = Array.from({ length: cols * rows.length }, (_, i) => i);
  const at = (i: number) => rows[Math.floor(i / cols)]![i % cols];
  map.record(cells, cells.map((i) => (at(i) === '#' ? 5 : at(i) === 'g' ? Number.NaN : 0)), cells.map((i) => (at(i) === 'g' ? 0 : 1)));
  return map;
}

const SHAPE = [
  '............',
  '.####.......',
  '.#..#....#..',
  '.####...###.',
  '.........#..',
  '..........#.', // touches the plus-shaped region only at a corner: a region of its own
  '..g.........',
  '#...........',
  '##.......gg.',
  '............',
];

/** Even-odd point-in-polygon over all rings of the features. */
function inside(features: PolygonFeature[], x: number, y: number): number {
  let hits = 0;
  for (const f of features) {
    let parity = false;
    for (const ring of f.geometry.coordinates) {
      for (let i = 0, j = ring.length - 2; i < ring.length - 1; j = i++) {
        const [xi, yi] = ring[i]!;
        const [xj, yj] = ring[j]!;
        if (yi! > y !== yj! > y && x < ((xj! - xi!) * (y - yi!)) / (yj! - yi!) + xi!) parity = !parity;
      }
    }
    if (parity) hits++;
  }
  return hits;
}

describe('focus GeoJSON', () => {
  const map = mapOf(SHAPE);
  const scale = rawScale(1);
  const geo = focusGeoJson({ map, scale, mpp: 0.5, slideName: 's.tif', modelId: 'm', now: new Date(0) });
  const regions = geo.features.filter((f) => f.properties.objectType === 'annotation');
  const cells = geo.features.filter((f) => f.properties.objectType === 'detection');

  it('is valid RFC 7946 GeoJSON (a strict validator accepts it as a FeatureCollection)', () => {
    const text = JSON.stringify(geo);
    expect(() => check(text)).not.toThrow();
    expect(check(text).type).toBe('FeatureCollection');
    expect(geo.focuslite).toMatchObject({ schema: GEOJSON_SCHEMA, slide: 's.tif', model: 'm', threshold: 1, generatedAt: '1970-01-01T00:00:00.000Z' });
  });

  it('has the summary\'s regions, worst first, in the form QuPath imports as annotations', () => {
    const summary = summarise(map, scale, 5, 0.5, Number.MAX_SAFE_INTEGER);
    expect(regions).toHaveLength(summary.regionCount);
    expect(summary.regionCount).toBe(4); // the ring, the plus, the corner cell, the L
    regions.forEach((f, i) => {
      const r = summary.regions[i]!;
      expect(f.geometry.type).toBe('Polygon');
      expect(f.properties).toMatchObject({ objectType: 'annotation', name: `Out of focus ${r.rank}`, classification: { name: 'Out of focus', color: [255, 59, 48] } });
      expect(f.properties.measurements).toMatchObject({ Cells: r.cells, 'Mean score': r.meanScore, 'Max score': r.maxScore, 'Area mm²': r.area });
    });
    // The ring of 10 cells around a hole of 2: one exterior and one hole.
    expect(regions[0]!.geometry.coordinates).toHaveLength(2);
  });

  it('covers exactly the out-of-focus cells\' stride squares, with the region polygons and with the cell squares', () => {
    const { cols, rows, stride, patch } = map.grid;
    const offset = patch / 2 - stride / 2;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const blurred = SHAPE[r]![c] === '#' ? 1 : 0;
        // Centre and a point near a corner of the cell's stride square.
        for (const [fx, fy] of [[0.5, 0.5], [0.05, 0.95]] as const) {
          const x = offset + (c + fx) * stride;
          const y = offset + (r + fy) * stride;
          expect(inside(regions, x, y), `region polygons at cell ${c},${r}`).toBe(blurred);
          expect(inside(cells, x, y), `cell squares at cell ${c},${r}`).toBe(blurred);
        }
      }
    }
    expect(cells).toHaveLength(SHAPE.join('').split('#').length - 1);
    expect(cells[0]!.properties).toMatchObject({ objectType: 'detection', classification: { name: 'Out of focus' }, measurements: { Score: 5 } });
  });

  it('leaves the cells out when asked, and is empty for a sharp slide', () => {
    expect(focusGeoJson({ map, scale, slideName: 's', modelId: 'm', cells: false }).features.every((f) => f.properties.objectType === 'annotation')).toBe(true);
    const sharp = focusGeoJson({ map: mapOf(['....', '....']), scale, slideName: 's', modelId: 'm' });
    expect(sharp.features).toEqual([]);
    expect(() => check(JSON.stringify(sharp))).not.toThrow();
  });
});
