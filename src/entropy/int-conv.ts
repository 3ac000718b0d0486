/**
 * Integer 3×3 convolutions in the native addon (native/src/int_conv.h): the layers of networks that
 * pick entropy tables and means at decode time (the video codec's inter model, the hyperprior's
 * checkerboard context; stored as src/model/int-layers.ts reads them). Only integer
 * arithmetic with proven bounds, so every machine and thread count decodes the same tables:
 *
 *   out[o] = clamp(floor((Σ weight·in (3×3, zero padding) · mult[o] + bias[o] + 2^(shift−1)) / 2^shift), lo, hi)
 *
 * Inputs lie in ±{@link MAX_CONV_INPUT}, weights in ±127, at most {@link MAX_CONV_INPUT_CHANNELS}
 * input channels (the int32 accumulator cannot overflow), biases are integers below 2^52.
 */
import { callNative, loadNative } from '../native.js';

export const MAX_CONV_INPUT = 16383;
export const MAX_CONV_INPUT_CHANNELS = 114;

/** One layer's integer parameters. */
export interface IntConvLayer {
  inChannels: number;
  outChannels: number;
  /** outChannels × inChannels × 3 × 3 weights in [−127, 127]. */
  weight: Int32Array;
  /** One multiplier per output channel. */
  mult: Int32Array;
  /** One integral bias per output channel (|b| < 2^52). */
  bias: Float64Array;
  shift: number;
  /** Output clamp: lo = 0 makes the layer a ReLU. */
  lo: number;
  hi: number;
}

/**
 * Runs `layer` on planar `input` (inChannels × height × width); returns outChannels × height × width.
 * `threads` (1–64) split a large layer's output channels; the result is the same for any count.
 */
export function intConv3x3(layer: IntConvLayer, input: Int32Array, height: number, width: number, threads = 1): Int32Array {
  const output = new Int32Array(layer.outChannels * height * width);
  callNative(() => loadNative().intConv3x3(
    input, layer.inChannels, height, width, layer.weight, layer.mult, layer.bias, layer.outChannels,
    layer.shift, layer.lo, layer.hi, output, Math.max(1, Math.min(64, Math.floor(threads))),
  ));
  return output;
}
