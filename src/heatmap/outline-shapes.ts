/**
 * Outlines read from a GeoJSON file (this app's or the CLI's focus export, QuPath's annotation export, a
 * pathologist's marks) to be drawn over a slide: polygons and lines in level-0 pixel coordinates (QuPath's and our
 * convention: origin at the top-left of the full-resolution image). Anything else is refused with a message that says
 * what was found; points are counted and skipped.
 */
export interface OutlineShape {
  /** Closed rings (polygons, holes included) or open paths (lines), as flat [x0, y0, x1, y1, …]. */
  paths: { closed: boolean; xy: Float64Array }[];
  /** Level-0 bounding box, for drawing only what is on screen. */
  box: { x0: number; y0: number; x1: number; y1: number };
  name?: string;
  /** The classification's colour when the file gives one ([r, g, b]). */
  color?: [number, number, number];
}

export interface Outlines {
  name: string;
  shapes: OutlineShape[];
  /** Point features, which are not drawn. */
  skippedPoints: number;
  box: { x0: number; y0: number; x1: number; y1: number };
}

/** More vertices than this is not a file of outlines to draw over a slide (a 10,000-region export has ~1M). */
export const MAX_OUTLINE_VERTICES = 5_000_000;

export class OutlineError extends Error {}

type Json = unknown;

export function parseOutlines(text: string, fileName: string): Outlines {
  let root: Json;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new OutlineError(`${fileName} is not JSON (${err instanceof Error ? err.message : String(err)}); a GeoJSON file was expected.`);
  }
  // A FeatureCollection, a Feature, a bare geometry, or a JSON array of features (QuPath's older exports).
  const features: Json[] = Array.isArray(root) ? root : isObject(root) && root.type === 'FeatureCollection' && Array.isArray(root.features) ? root.features : [root];
  if (!Array.isArray(root) && !(isObject(root) && typeof root.type === 'string')) {
    throw new OutlineError(`${fileName} is JSON but not GeoJSON: expected a FeatureCollection, a Feature or a geometry (a "type" member).`);
  }
  const shapes: OutlineShape[] = [];
  let skippedPoints = 0;
  let vertices = 0;
  features.forEach((feature, index) => {
    const where = `${fileName}: feature ${index + 1}`;
    const geometry = isObject(feature) && feature.type === 'Feature' ? feature.geometry : feature;
    const props = isObject(feature) && isObject(feature.properties) ? feature.properties : undefined;
    const paths: OutlineShape['paths'] = [];
    const visit = (g: Json): void => {
      if (g === null) return; // a Feature without geometry is allowed by RFC 7946
      if (!isObject(g) || typeof g.type !== 'string') throw new OutlineError(`${where} has no valid geometry.`);
      const c = g.coordinates;
      switch (g.type) {
        case 'Polygon':
          for (const ring of arrayOf(c, where)) paths.push({ closed: true, xy: positions(ring, where) });
          return;
        case 'MultiPolygon':
          for (const polygon of arrayOf(c, where)) for (const ring of arrayOf(polygon, where)) paths.push({ closed: true, xy: positions(ring, where) });
          return;
        case 'LineString':
          paths.push({ closed: false, xy: positions(c, where) });
          return;
        case 'MultiLineString':
          for (const line of arrayOf(c, where)) paths.push({ closed: false, xy: positions(line, where) });
          return;
        case 'Point':
        case 'MultiPoint':
          skippedPoints++;
          return;
        case 'GeometryCollection':
          for (const part of arrayOf(g.geometries, where)) visit(part);
          return;
        default:
          throw new OutlineError(`${where}: '${g.type}' is not a GeoJSON geometry type.`);
      }
    };
    visit(geometry);
    if (paths.length === 0) return;
    for (const p of paths) vertices += p.xy.length / 2;
    if (vertices > MAX_OUTLINE_VERTICES) throw new OutlineError(`${fileName} has more than ${MAX_OUTLINE_VERTICES.toLocaleString('en')} vertices: too many outlines to draw over a slide.`);
    const shape: OutlineShape = { paths, box: boxOf(paths.map((p) => p.xy)) };
    const name = props?.name;
    if (typeof name === 'string') shape.name = name;
    const color = isObject(props?.classification) ? props.classification.color : undefined;
    if (Array.isArray(color) && color.length === 3 && color.every((v) => typeof v === 'number' && v >= 0 && v <= 255)) shape.color = color as [number, number, number];
    shapes.push(shape);
  });
  if (shapes.length === 0) {
    throw new OutlineError(`${fileName} has no polygons or lines to draw${skippedPoints ? ` (only ${skippedPoints} point feature(s))` : ''}.`);
  }
  return { name: fileName, shapes, skippedPoints, box: boxOf(shapes.flatMap((s) => [Float64Array.of(s.box.x0, s.box.y0, s.box.x1, s.box.y1)])) };
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayOf(v: Json, where: string): Json[] {
  if (!Array.isArray(v)) throw new OutlineError(`${where}: coordinates are not an array.`);
  return v;
}

function positions(v: Json, where: string): Float64Array {
  const list = arrayOf(v, where);
  const xy = new Float64Array(list.length * 2);
  list.forEach((p, i) => {
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      throw new OutlineError(`${where}: position ${i + 1} is not a pair of numbers.`);
    }
    xy[2 * i] = p[0];
    xy[2 * i + 1] = p[1];
  });
  return xy;
}

function boxOf(lists: Float64Array[]): OutlineShape['box'] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const xy of lists) {
    for (let i = 0; i + 1 < xy.length; i += 2) {
      x0 = Math.min(x0, xy[i]!);
      x1 = Math.max(x1, xy[i]!);
      y0 = Math.min(y0, xy[i + 1]!);
      y1 = Math.max(y1, xy[i + 1]!);
    }
  }
  return { x0, y0, x1, y1 };
}
