// libjpeg-turbo compiled to WebAssembly (@cornerstonejs/codec-libjpeg-turbo-8bit), for JPEG tiles in Node worker
// threads. It decodes in the calling thread: sharp's libvips pipeline hands every image between threads, which cost
// about as much CPU as the decoding itself on 256² tiles (1.45 ms of CPU a tile against 1.0 ms here, a one-off Node
// microbenchmark), and a scan decodes thousands of them. The same library with the same settings (accurate integer
// IDCT, smooth chroma upsampling), so the same pixels as sharp and the browser (turbo-wasm.test.ts checks real tiles).

/** The part of the codec's module we use. */
export interface TurboJpegDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; componentCount: number };
  getDecodedBuffer(): Uint8Array;
}
export type TurboJpegFactory = () => Promise<{ JPEGDecoder: new () => TurboJpegDecoder }>;

export interface RgbPixels {
  width: number;
  height: number;
  /** 3 bytes a pixel, rows packed; the caller's own copy. */
  rgb: Uint8Array;
}

/**
 * Decodes a complete JPEG stream to RGB with one lazily made module instance; undefined for a stream that is not
 * three-component (grey, CMYK) or that the decoder refuses (the caller's other decoder then says what is wrong:
 * this one throws only a pointer to its C++ exception).
 */
export function createTurboJpeg(factory: TurboJpegFactory): (stream: Uint8Array) => Promise<RgbPixels | undefined> {
  let decoder: Promise<TurboJpegDecoder> | undefined;
  return async (stream) => {
    decoder ??= factory().then((m) => new m.JPEGDecoder());
    const d = await decoder;
    try {
      d.getEncodedBuffer(stream.length).set(stream);
      d.decode();
    } catch {
      return undefined;
    }
    const { width, height, componentCount } = d.getFrameInfo();
    const out = d.getDecodedBuffer();
    if (componentCount !== 3 || out.length !== width * height * 3) return undefined;
    return { width, height, rgb: out.slice() }; // the module reuses its output memory for the next stream
  };
}
