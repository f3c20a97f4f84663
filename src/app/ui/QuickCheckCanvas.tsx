import { useEffect, useRef, type CanvasHTMLAttributes } from 'react';
import type { RGBAImage } from '../../slide/types.ts';

/** A canvas showing RGBA pixels at their own size (CSS scales it). */
export function RgbaCanvas({ image, ...rest }: { image: RGBAImage | undefined } & CanvasHTMLAttributes<HTMLCanvasElement>) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !image) return;
    canvas.width = image.width;
    canvas.height = image.height;
    canvas.getContext('2d')?.putImageData(new ImageData(image.data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height), 0, 0);
  }, [image]);
  return <canvas ref={ref} {...rest} />;
}
