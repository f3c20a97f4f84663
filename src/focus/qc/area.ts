// Areas as people read them: three significant digits, in µm² below 0.01 mm² (a region of a few cells is not
// "0.00 mm²"), in mm² above, and in pixels² when the slide's pixel size is unknown.
import type { QcSummary } from './summary.ts';

const SIGNIFICANT = { maximumSignificantDigits: 3 } as const;

/** `value` is in the summary's `areaUnit` (mm² or px²). */
export function formatArea(value: number, unit: QcSummary['areaUnit']): string {
  if (!Number.isFinite(value)) return '–';
  if (unit === 'px²') return `${value.toLocaleString('en', SIGNIFICANT)} px²`;
  if (value !== 0 && value < 0.01) return `${(value * 1e6).toLocaleString('en', SIGNIFICANT)} µm²`;
  return `${value.toLocaleString('en', SIGNIFICANT)} mm²`;
}

/** A length from the slide origin as people read positions: whole µm below 1 mm, else mm to 10 µm. */
export function formatLength(um: number): string {
  if (!Number.isFinite(um)) return '–';
  return Math.abs(um) < 1000 ? `${Math.round(um)} µm` : `${(um / 1000).toFixed(2)} mm`;
}
