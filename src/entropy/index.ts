/**
 * Entropy coding: static-table rANS with an escape code, an adaptive range coder, and the tables they
 * use. The coding itself runs in the native addon (native/); see docs/ENTROPY.md.
 */
export {
  DEFAULT_PRECISION,
  DEFAULT_TAIL_MASS,
  buildFactorizedTables,
  buildGaussianTables,
  buildScaleIndexes,
  concatTableSets,
  checkCdfTableSet,
  defaultScaleTable,
  quantizeCdf,
  tailBoundMultiplier,
  type CdfTableSet,
  type GaussianTableOptions,
  type NumberArray,
} from './tables.js';
export { RansCoder, ransLanes } from './rans.js';
export {
  DEFAULT_ADAPTIVE_INCREMENT,
  DEFAULT_ADAPTIVE_LIMIT,
  MAX_ADAPTIVE_LIMIT,
  adaptiveDecode,
  adaptiveEncode,
  adaptiveIdealBits,
  type AdaptiveOptions,
} from './adaptive.js';
export { FactorizedLatentCodec, GaussianLatentCodec, dequantize, quantize, type LatentPrediction } from './latent-codecs.js';
export { losslessMlpBits, losslessMlpDecode, losslessMlpEncode } from './lossless-mlp.js';
export { MAX_CONV_INPUT, MAX_CONV_INPUT_CHANNELS, intConv3x3, type IntConvLayer } from './int-conv.js';
export {
  ARM_CONTEXT,
  ARM_CONTEXT_OFFSETS,
  ARM_DEFAULT_LEVELS,
  ARM_HIDDEN,
  ARM_MAX_LATENT,
  ARM_MAX_LATENTS,
  ARM_MAX_WEIGHT,
  ARM_WEIGHT_COUNT,
  armBits,
  armDecode,
  armEncode,
  armGridSizes,
  armPredict,
  type ArmGrid,
  type ArmGridSize,
} from './arm.js';
