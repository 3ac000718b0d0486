/** Test helpers over loaded images (the library itself never needs them). */
import type { LoadedImage, PlanarImage } from '../../src/media/image.js';
import { roundHalfEven } from '../../src/tensor.js';

/** The alpha channel of an image with one, else null. */
export function alphaOf(image: LoadedImage): Uint8Array | Uint16Array | null {
  if (!image.hasAlpha) return null;
  const { channels, data } = image;
  const n = image.width * image.height;
  const out = image.bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = data[i * channels + channels - 1]!;
  return out;
}

/** Planar float RGB (any range; clipped to [0, 1]) to interleaved 8-bit RGB. */
export function fromPlanarRgb(planar: PlanarImage): Uint8Array {
  const n = planar.width * planar.height;
  const out = new Uint8Array(3 * n);
  const { data } = planar;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = data[c * n + i]!;
      out[3 * i + c] = v <= 0 ? 0 : v >= 1 ? 255 : roundHalfEven(v * 255);
    }
  }
  return out;
}
