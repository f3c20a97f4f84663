// PNG and JPEG files for tests, made with sharp (libjpeg-turbo, libspng): the codecs the product itself decodes with.
import sharp from 'sharp';

export interface Pixels {
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA) bytes per pixel. */
  data: Uint8Array | Uint8ClampedArray;
}

function raw(img: Pixels) {
  const channels = img.data.length / (img.width * img.height);
  if (channels !== 3 && channels !== 4) throw new Error(`${img.width}×${img.height} image with ${img.data.length} bytes is neither RGB nor RGBA`);
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels } });
}

export async function encodePng(img: Pixels): Promise<Uint8Array> {
  return new Uint8Array(await raw(img).png().toBuffer());
}

/** Baseline JPEG; `subsample` false keeps chroma at full resolution (4:4:4). */
export async function encodeJpeg(img: Pixels, quality: number, subsample = true): Promise<Uint8Array> {
  return new Uint8Array(await raw(img).jpeg({ quality, chromaSubsampling: subsample ? '4:2:0' : '4:4:4' }).toBuffer());
}

/** RGBA pixels of a PNG or JPEG file. */
export async function decodeToRgba(bytes: Uint8Array): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
