/**
 * {@link Latent}s (src/tensor.ts) to and from ONNX Runtime tensors, with the shape checks every codec
 * needs.
 */
import * as ort from 'onnxruntime-node';
import { CodecError } from '../errors.js';
import type { Latent } from '../tensor.js';

/** The latent as an ONNX tensor: `[1, C, H, W]`, or `[1, C, W]` when `rank` is 3 (1-D signals). */
export function tensorOf(latent: Latent, rank: 3 | 4 = 4): ort.Tensor {
  const dims = rank === 4 ? [1, latent.channels, latent.height, latent.width] : [1, latent.channels, latent.width];
  return new ort.Tensor('float32', latent.data, dims);
}

/**
 * A graph output as a latent: a `[1, C, H, W]` (or `[1, C, W]`, height 1) float32 tensor with
 * `expectedChannels` channels; anything else means the model does not match its manifest
 * (`ERR_MODEL_INVALID`, naming the graph).
 */
export function latentOf(tensor: ort.Tensor | undefined, graph: string, expectedChannels: number): Latent {
  const dims = tensor?.dims;
  const rank = dims?.length;
  if (!tensor || tensor.type !== 'float32' || (rank !== 4 && rank !== 3) || dims![0] !== 1 || dims![1] !== expectedChannels) {
    const expected = `[1, ${expectedChannels}, H, W] or [1, ${expectedChannels}, T]`;
    throw new CodecError('ERR_MODEL_INVALID', `The ${graph} graph returned ${dims ? `a [${dims.join(', ')}] tensor` : 'no tensor'} where a ${expected} float32 tensor was expected: the model does not match its manifest.`);
  }
  const height = rank === 4 ? dims![2]! : 1;
  return { data: tensor.data as Float32Array, channels: dims![1]!, height, width: dims![rank - 1]! };
}
