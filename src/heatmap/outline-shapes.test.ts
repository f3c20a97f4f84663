import { describe, expect, it } from 'vitest';
import { MAX_OUTLINE_VERTICES, OutlineError, parseOutlines } from './outline-shapes.ts';

const square = (x: number, y: number, s: number) => [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]];

describe('parseOutlines', () => {
  it('reads polygons (with holes), multipolygons and lines of a FeatureCollection, with names and class colours', () => {
    const text = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: [square(0, 0, 100), square(10, 10, 5)] }, properties: { name: 'a', classification: { name: 'Tumor', color: [200, 0, 0] } } },
        { type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: [[square(200, 0, 10)], [square(300, 0, 10)]] }, properties: {} },
        { type: 'Feature', geometry: { type: 'LineString', coordinates: [[0, 500], [50, 550]] }, properties: null },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [1, 1] }, properties: {} },
        { type: 'Feature', geometry: null, properties: {} },
      ],
    });
    const o = parseOutlines(text, 'marks.geojson');
    expect(o.shapes).toHaveLength(3);
    expect(o.shapes[0]).toMatchObject({ name: 'a', color: [200, 0, 0], box: { x0: 0, y0: 0, x1: 100, y1: 100 } });
    expect(o.shapes[0]!.paths.map((p) => p.closed)).toEqual([true, true]);
    expect(o.shapes[1]!.paths).toHaveLength(2);
    expect(o.shapes[2]!.paths[0]).toMatchObject({ closed: false });
    expect(Array.from(o.shapes[2]!.paths[0]!.xy)).toEqual([0, 500, 50, 550]);
    expect(o.skippedPoints).toBe(1);
    expect(o.box).toEqual({ x0: 0, y0: 0, x1: 310, y1: 550 });
  });

  it('reads QuPath\'s older export (a JSON array of features) and a bare geometry', () => {
    expect(parseOutlines(JSON.stringify([{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [square(0, 0, 1)] } }]), 'q.json').shapes).toHaveLength(1);
    expect(parseOutlines(JSON.stringify({ type: 'Polygon', coordinates: [square(0, 0, 1)] }), 'g.json').shapes).toHaveLength(1);
  });

  it('refuses what it cannot draw with a message naming the file and what is wrong', () => {
    const bad = (text: string) => () => parseOutlines(text, 'f.geojson');
    expect(bad('{oops')).toThrow(OutlineError);
    expect(bad('{oops')).toThrow(/f\.geojson is not JSON/);
    expect(bad('{"a": 1}')).toThrow(/not GeoJSON/);
    expect(bad('{"type":"FeatureCollection","features":[]}')).toThrow(/no polygons or lines/);
    expect(bad(JSON.stringify({ type: 'Point', coordinates: [1, 2] }))).toThrow(/only 1 point feature/);
    expect(bad(JSON.stringify({ type: 'Polygon', coordinates: [[[0, 0], [1, 'x']]] }))).toThrow(/feature 1: position 2 is not a pair of numbers/);
    expect(bad(JSON.stringify({ type: 'Circle', coordinates: [] }))).toThrow(/'Circle' is not a GeoJSON geometry type/);
    expect(bad(JSON.stringify({ type: 'Polygon', coordinates: 5 }))).toThrow(/coordinates are not an array/);
  });

  it('refuses a file with more vertices than can be drawn over a slide', () => {
    const ring = Array.from({ length: MAX_OUTLINE_VERTICES / 2 + 1 }, (_, i) => [i, 0]);
    const text = JSON.stringify([{ type: 'Feature', geometry: { type: 'LineString', coordinates: ring } }, { type: 'Feature', geometry: { type: 'LineString', coordinates: ring } }]);
    expect(() => parseOutlines(text, 'big.geojson')).toThrow(/more than 5,000,000 vertices/);
  });
});
