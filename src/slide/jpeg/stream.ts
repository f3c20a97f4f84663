import { SlideError } from '../types.ts';

// JPEG stream fix-ups for TIFF tiles: tiles often carry only scan data and rely on shared tables (tag 347), and
// RGB-encoded tiles (Aperio) lack the Adobe marker that tells a decoder not to apply the YCbCr transform.

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP14 = 0xee;

export interface JpegSegment {
  marker: number;
  /** Offset of the 0xFF byte of the marker. */
  start: number;
  /** Offset just past the segment. */
  end: number;
}

/** Marker segments from SOI up to (and including) SOS; stops at the scan data. */
export function jpegSegments(stream: Uint8Array): JpegSegment[] {
  if (stream[0] !== 0xff || stream[1] !== SOI) throw new SlideError('corrupt JPEG tile: it does not start with an SOI marker.');
  const segments: JpegSegment[] = [];
  let at = 2;
  while (at + 4 <= stream.length) {
    if (stream[at] !== 0xff) throw new SlideError(`corrupt JPEG tile: expected a marker at byte ${at}.`);
    const marker = stream[at + 1] ?? 0;
    if (marker === 0xff) { at++; continue; } // fill byte
    if (marker === EOI) { segments.push({ marker, start: at, end: at + 2 }); break; }
    const length = ((stream[at + 2] ?? 0) << 8) | (stream[at + 3] ?? 0);
    if (length < 2) throw new SlideError(`corrupt JPEG tile: bad segment length at byte ${at}.`);
    // Callers copy whole segments (markAsRgb drops JFIF APP0): one running past the end would give negative sizes.
    if (at + 2 + length > stream.length) throw new SlideError(`corrupt JPEG tile: the marker segment at byte ${at} runs past the end of the tile.`);
    segments.push({ marker, start: at, end: at + 2 + length });
    if (marker === SOS) break;
    at += 2 + length;
  }
  return segments;
}

/** Puts the shared tables (a tables-only stream: SOI, DQT/DHT…, EOI) in front of an abbreviated tile stream. */
export function spliceJpegTables(tables: Uint8Array | undefined, tile: Uint8Array): Uint8Array {
  if (!tables || tables.length <= 4) return tile;
  if (tables[0] !== 0xff || tables[1] !== SOI) throw new SlideError('corrupt JPEGTables tag: it is not a JPEG stream.');
  if (tile[0] !== 0xff || tile[1] !== SOI) throw new SlideError('corrupt JPEG tile: it does not start with an SOI marker.');
  let tablesEnd = tables.length;
  if (tables[tablesEnd - 2] === 0xff && tables[tablesEnd - 1] === EOI) tablesEnd -= 2;
  const out = new Uint8Array(tablesEnd + tile.length - 2);
  out.set(tables.subarray(0, tablesEnd), 0);
  out.set(tile.subarray(2), tablesEnd);
  return out;
}

const ADOBE_RGB = Uint8Array.of(0xff, APP14, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00);

/**
 * Marks a stream whose components are R, G, B (TIFF Photometric = RGB) so decoders skip the YCbCr transform:
 * inserts an Adobe APP14 marker with transform 0 and drops a JFIF APP0, which would otherwise win.
 * Without this, Aperio's RGB tiles come out magenta.
 */
export function markAsRgb(stream: Uint8Array): Uint8Array {
  const segments = jpegSegments(stream);
  if (segments.some((s) => s.marker === APP14)) return stream;
  const jfif = segments.find((s) => s.marker === APP0 && stream[s.start + 4] === 0x4a && stream[s.start + 5] === 0x46);
  const dropped = jfif ? jfif.end - jfif.start : 0;
  const out = new Uint8Array(stream.length + ADOBE_RGB.length - dropped);
  out.set(stream.subarray(0, 2), 0);
  out.set(ADOBE_RGB, 2);
  if (jfif) {
    out.set(stream.subarray(2, jfif.start), 2 + ADOBE_RGB.length);
    out.set(stream.subarray(jfif.end), 2 + ADOBE_RGB.length + (jfif.start - 2));
  } else {
    out.set(stream.subarray(2), 2 + ADOBE_RGB.length);
  }
  return out;
}

/** Whether the stream has a JFIF APP0 marker, which means its three components are YCbCr. */
export function hasJfif(stream: Uint8Array): boolean {
  return jpegSegments(stream).some((s) => s.marker === APP0 && stream[s.start + 4] === 0x4a && stream[s.start + 5] === 0x46);
}

/** Frame size and component count from the SOF marker. */
export function jpegFrameInfo(stream: Uint8Array): { width: number; height: number; components: number } {
  for (const s of jpegSegments(stream)) {
    const m = s.marker;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      const height = ((stream[s.start + 5] ?? 0) << 8) | (stream[s.start + 6] ?? 0);
      const width = ((stream[s.start + 7] ?? 0) << 8) | (stream[s.start + 8] ?? 0);
      return { width, height, components: stream[s.start + 9] ?? 0 };
    }
  }
  throw new SlideError('corrupt JPEG tile: no frame header (SOF).');
}

/** The Adobe APP14 colour transform flag (0 = none/RGB, 1 = YCbCr), or undefined without the marker. */
export function adobeTransform(stream: Uint8Array): number | undefined {
  const app14 = jpegSegments(stream).find((s) => s.marker === APP14 && stream[s.start + 4] === 0x41);
  return app14 && app14.end - app14.start >= 16 ? stream[app14.start + 15] : undefined;
}
