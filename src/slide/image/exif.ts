// EXIF orientation in JPEG files. Browsers rotate JPEGs by it when decoding (createImageBitmap ignores a request not
// to), while `focuslite score` (sharp, raw pixels) does not; neutralising the tag makes both see the same pixel grid,
// hence the same patches and the same score.

/** Offset of the EXIF orientation value (a 16-bit SHORT) in a JPEG, and the byte order, if the file has one. */
export function findOrientation(jpeg: Uint8Array): { offset: number; littleEndian: boolean } | undefined {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return undefined;
  const view = new DataView(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  let p = 2;
  while (p + 4 <= jpeg.length && jpeg[p] === 0xff) {
    const marker = jpeg[p + 1]!;
    if (marker === 0xda || marker === 0xd9) return undefined; // image data: no more metadata segments
    const length = view.getUint16(p + 2);
    if (length < 2 || p + 2 + length > jpeg.length) return undefined;
    const start = p + 4;
    // APP1 "Exif\0\0" then a TIFF header and IFD0.
    if (marker === 0xe1 && length >= 16 && String.fromCharCode(...jpeg.subarray(start, start + 6)) === 'Exif\0\0') {
      const tiff = start + 6;
      const end = p + 2 + length;
      const order = view.getUint16(tiff);
      if (order !== 0x4949 && order !== 0x4d4d) return undefined;
      const le = order === 0x4949;
      const ifd = tiff + view.getUint32(tiff + 4, le);
      if (ifd + 2 > end) return undefined;
      const count = view.getUint16(ifd, le);
      for (let i = 0; i < count; i++) {
        const entry = ifd + 2 + i * 12;
        if (entry + 12 > end) return undefined;
        if (view.getUint16(entry, le) === 0x0112 && view.getUint16(entry + 2, le) === 3) return { offset: entry + 8, littleEndian: le };
      }
      return undefined;
    }
    p += 2 + length;
  }
  return undefined;
}

/** A copy of `jpeg` with its EXIF orientation set to 1 (as stored), or `jpeg` itself if it has none or it is 1. */
export function withoutOrientation(jpeg: Uint8Array): Uint8Array {
  const found = findOrientation(jpeg);
  if (!found) return jpeg;
  const view = new DataView(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  if (view.getUint16(found.offset, found.littleEndian) === 1) return jpeg;
  const copy = jpeg.slice();
  new DataView(copy.buffer).setUint16(found.offset, 1, found.littleEndian);
  return copy;
}
