/**
 * Signals as sets of blocks, one network each (the patch split of COIN++, Dupont et al. 2022): an
 * image is cut into S×S blocks in raster order, an audio channel into runs of S samples; blocks at
 * the border are partial. Targets are kept in network units: images 2·v − 1 ∈ [−1, 1] (v the sample
 * in [0, 1]), audio samples divided by the clip's peak.
 */
import { toPlanarRgb, type LoadedImage } from '../../src/media/image.js';

/** B blocks of one signal, their valid extents and their targets [B, S^dims, C]. */
export interface BlockSet {
  dims: 1 | 2;
  /** Block side (2-D) or length (1-D). */
  size: number;
  /** Output channels per sample. */
  channels: number;
  blocks: number;
  /** Valid samples along x (or time) and y (1 for audio) per block. */
  extentX: Int32Array;
  extentY: Int32Array;
  targets: Float32Array;
}

/** Samples per block position grid: S² or S. */
export function blockArea(set: Pick<BlockSet, 'dims' | 'size'>): number {
  return set.dims === 2 ? set.size * set.size : set.size;
}

/** The block grid of a width × height image: columns, rows. */
export function imageGrid(width: number, height: number, size: number): { cols: number; rows: number } {
  return { cols: Math.ceil(width / size), rows: Math.ceil(height / size) };
}

function emptySet(dims: 1 | 2, size: number, channels: number, blocks: number): BlockSet {
  const area = dims === 2 ? size * size : size;
  return {
    dims, size, channels, blocks,
    extentX: new Int32Array(blocks), extentY: new Int32Array(blocks),
    targets: new Float32Array(blocks * area * channels),
  };
}

/** Colour channels the network codes: 1 for gray (± alpha), 3 for RGB (± alpha). */
export function codedChannels(imageChannels: number): 1 | 3 {
  return imageChannels <= 2 ? 1 : 3;
}

/** Cuts an image's colour (or gray) channels into blocks of side `size`. */
export function imageBlocks(image: LoadedImage, size: number): BlockSet {
  const { width, height } = image;
  const c = codedChannels(image.channels);
  const planar = toPlanarRgb(image).data;
  const n = width * height;
  const { cols, rows } = imageGrid(width, height, size);
  const set = emptySet(2, size, c, cols * rows);
  const area = size * size;
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      const b = by * cols + bx;
      const ex = Math.min(size, width - bx * size), ey = Math.min(size, height - by * size);
      set.extentX[b] = ex;
      set.extentY[b] = ey;
      for (let y = 0; y < ey; y++) {
        for (let x = 0; x < ex; x++) {
          const src = (by * size + y) * width + bx * size + x;
          const dst = (b * area + y * size + x) * c;
          for (let k = 0; k < c; k++) set.targets[dst + k] = 2 * planar[k * n + src]! - 1;
        }
      }
    }
  }
  return set;
}

/** Writes network outputs [B, S², C] back into interleaved 8-bit samples (`channels` per pixel). */
export function writeImageBlocks(
  values: Float32Array, size: number, c: number, width: number, height: number, out: Uint8Array, channels: number,
): void {
  const { cols, rows } = imageGrid(width, height, size);
  const area = size * size;
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      const b = by * cols + bx;
      const ex = Math.min(size, width - bx * size), ey = Math.min(size, height - by * size);
      for (let y = 0; y < ey; y++) {
        for (let x = 0; x < ex; x++) {
          const src = (b * area + y * size + x) * c;
          const dst = ((by * size + y) * width + bx * size + x) * channels;
          for (let k = 0; k < channels - (channels % 2 === 0 ? 1 : 0); k++) out[dst + k] = toByte(values[src + (c === 1 ? 0 : k)]!);
        }
      }
    }
  }
}

/** Network units (−1 … 1) to an 8-bit sample: round_half_even(255 · (v + 1) / 2), clipped. */
function toByte(v: number): number {
  const x = ((v + 1) / 2) * 255;
  if (!(x > 0)) return 0;
  if (x >= 255) return 255;
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Blocks per audio channel of `frames` samples. */
export function audioBlocksPerChannel(frames: number, size: number): number {
  return Math.ceil(frames / size);
}

/** Largest absolute sample (at least 2⁻¹⁶, so silence still has a usable scale). */
export function audioPeak(channels: readonly Float32Array[]): number {
  let peak = 2 ** -16;
  for (const ch of channels) for (const v of ch) if (Math.abs(v) > peak) peak = Math.abs(v);
  return Math.fround(peak);
}

/** Cuts every channel into blocks of `size` samples (channel-major), scaled by 1 / `peak`. */
export function audioBlocks(channels: readonly Float32Array[], size: number, peak: number): BlockSet {
  const frames = channels[0]?.length ?? 0;
  const per = audioBlocksPerChannel(frames, size);
  const set = emptySet(1, size, 1, channels.length * per);
  channels.forEach((samples, ch) => {
    for (let k = 0; k < per; k++) {
      const b = ch * per + k;
      const n = Math.min(size, frames - k * size);
      set.extentX[b] = n;
      set.extentY[b] = 1;
      for (let i = 0; i < n; i++) set.targets[b * size + i] = samples[k * size + i]! / peak;
    }
  });
  return set;
}

/** Writes network outputs [B, S, 1] back into `channels` of `frames` samples, times `peak`. */
export function writeAudioBlocks(values: Float32Array, size: number, frames: number, peak: number, channels: Float32Array[]): void {
  const per = audioBlocksPerChannel(frames, size);
  channels.forEach((samples, ch) => {
    for (let k = 0; k < per; k++) {
      const b = ch * per + k;
      const n = Math.min(size, frames - k * size);
      for (let i = 0; i < n; i++) samples[k * size + i] = values[b * size + i]! * peak;
    }
  });
}
