/**
 * `inr`: implicit neural representations — a signal is stored as the weights of small networks that
 * map coordinates to values (COIN, Dupont et al. 2021; COIN++, Dupont et al. 2022; Strümpler et al.,
 * "Implicit Neural Representations for Image Compression", ECCV 2022). Images (x, y → RGB) and
 * audio (t → sample), `quality` 1..5.
 *
 * Encoding *fits* the networks to the one signal (fit.ts, through the exported `fitStep` graph):
 * the signal is cut into blocks with one SIREN each (blocks.ts, network.ts), coordinates get
 * Fourier features (features.ts), the weights are quantized per tensor with quantization-aware
 * refinement (quantize.ts) and range-coded with adaptive per-tensor models (weights.ts); the header
 * carries architecture and steps (params.ts). Decoding evaluates the networks at every coordinate
 * (evaluate.ts) on a fixed-thread CPU session: deterministic and fast.
 *
 * Fitting is the expensive part: it runs until `maxSteps` steps (default: the level's) or
 * `maxSeconds`, whichever comes first, and reports progress (`phase` 'fit' then 'refine', `done`
 * out of `total` 100 = percent of the budget). It runs on CUDA when the codec is opened with
 * `device: 'cuda'`.
 *
 * Images: gray is coded as one channel, RGB as three; alpha is coded losslessly beside them; 16-bit
 * input is fitted from its float values and decodes as 8-bit. Audio: every channel at the input's
 * own sample rate (no resampling), in blocks of the level's length, scaled by the clip's peak.
 */
import path from 'node:path';
import type * as ort from 'onnxruntime-node';
import type {
  Codec, CodecFactory, CodecInfo, DecodedAudio, DecodedImage, DecodedMedia, EncodeOptions, MediaInput, OpenOptions, RawAudio, RawImage,
} from '../../src/api/types.js';
import { readContainer, writeContainer } from '../../src/container/format.js';
import type { ContainerHeader } from '../../src/container/header.js';
import { alphaPlane, decodeAlphaInto, encodeAlpha } from '../../src/api/alpha.js';
import { checkStreamModel, levelOfOption } from '../../src/api/checks.js';
import { MAX_PIXELS, checkImageSize } from '../../src/api/tiled-image.js';
import { CodecError } from '../../src/errors.js';
import { loadAudio } from '../../src/media/audio.js';
import { loadImage, type LoadedImage } from '../../src/media/image.js';
import { mediaKindOf } from '../../src/media/sniff.js';
import type { Runtime } from '../../src/runtime/index.js';
import type { ModelFamily, ModelFiles } from '../../src/model/store.js';
import { openModelCodec } from '../../src/api/model-codec.js';
import { checkInteger, invalidRange, invalidType } from '../../src/validate.js';
import {
  audioBlocks, audioBlocksPerChannel, audioPeak, blockArea, codedChannels, imageBlocks, imageGrid, writeAudioBlocks, writeImageBlocks,
  type BlockSet,
} from './blocks.js';
import { evaluateBlocks } from './evaluate.js';
import { axisFeatureCount, blockFeatures } from './features.js';
import { fitBlocks, type FitResult } from './fit.js';
import { parseManifest, type CoolChicLevel, type DepthGraphs, type InrLevel, type InrManifest } from './manifest.js';
import { sirenInit, tensorShapes, type Architecture } from './network.js';
import { PARAMS_VERSION, decodeParams, encodeParams, type InrParams } from './params.js';
import { NETWORK, NETWORK_SHAPES, sizeOf } from './coolchic-model.js';
import { mulberry32 } from '../../src/prng.js';
import { COOLCHIC_MEDIUM, CoolChicImageCoder, planarToPixels, type CoolChicReport } from './coolchic.js';
import { dequantize, quantize, stepSizes } from './quantize.js';
import { decodeWeights, encodeWeights, maxAbsOf } from './weights.js';

export { parseManifest, type InrLevel, type InrManifest } from './manifest.js';

const ID = 'inr';
/** The model a codec opens when none is named. */
export const DEFAULT_MODEL = 'coolchic-v1';
export { MAX_PIXELS } from '../../src/api/tiled-image.js';
/** Fraction of the fitting budget spent on quantization-aware refinement. */
export const REFINE_FRACTION = 0.1;
/** Seed of initialisation and minibatch sampling. */
const SEED = 0x1c0de;

/**
 * Encode options of the INR codec: `quality`, `onProgress` and the fitting budget `maxSteps` (default:
 * the level's `steps`) and `maxSeconds` (default: none), all from the common {@link EncodeOptions}.
 */
export type InrEncodeOptions = EncodeOptions;

/** What the last encode did (for benchmarks and logs). */
export interface FitReport {
  steps: number;
  seconds: number;
  blocks: number;
  parameters: number;
  /** PSNR (dB) of the last minibatch before quantization, from its MSE in network units. */
  minibatchPsnr: number;
  /** For Cool-chic images: rates, PSNR, step exponents and decoder complexity (`steps`/`seconds` as above). */
  coolchic?: CoolChicReport;
}

function corrupt(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', message);
}

/** How the inr family reads its models. */
const FAMILY: ModelFamily<InrManifest> = {
  id: ID, defaultModel: DEFAULT_MODEL, parseManifest,
  filesOf: (m) => [
    ...[...m.graphs.values()].flatMap((g) => [g.fitStep.file, g.evaluate.file]),
    ...(m.coolchic ? [m.coolchic.fitStep.file, m.coolchic.decode.file] : []),
  ],
};

/** Network parameters of a Cool-chic model (upsampling, ARM, synthesis). */
const NETWORK_PARAMETERS = NETWORK.reduce((n, name) => n + sizeOf(NETWORK_SHAPES.get(name)!), 0);

function checkBudget(options: InrEncodeOptions, level: { steps: number }): { maxSteps: number; maxSeconds: number } {
  const { maxSteps, maxSeconds } = options;
  if (maxSteps !== undefined) checkInteger(maxSteps, 'options.maxSteps', 1, 1e9);
  if (maxSeconds !== undefined) {
    if (typeof maxSeconds !== 'number' || Number.isNaN(maxSeconds)) throw invalidType('a number of seconds', 'options.maxSeconds', maxSeconds);
    if (!(maxSeconds > 0)) throw invalidRange('a positive number of seconds', 'options.maxSeconds', maxSeconds);
  }
  return {
    maxSteps: maxSteps ?? (maxSeconds === undefined ? level.steps : Infinity),
    maxSeconds: maxSeconds ?? Infinity,
  };
}

function psnrOf(mse: Float32Array): number {
  const mean = mse.reduce((a, b) => a + b, 0) / Math.max(1, mse.length);
  return 10 * Math.log10(4 / Math.max(mean, 1e-12));
}

/** An INR codec bound to one model (its graphs and rate levels) and one ONNX runtime. */
export class InrCodec implements Codec {
  readonly id = ID;
  readonly info: CodecInfo;
  private report: FitReport | null = null;
  private readonly coolchic: CoolChicImageCoder | null;

  private constructor(private readonly model: ModelFiles, private readonly manifest: InrManifest, private readonly runtime: Runtime) {
    const imageLevels = manifest.coolchic?.levels ?? manifest.image?.levels ?? [];
    const qualities = [...new Set([...imageLevels, ...manifest.audio.levels].map((l) => l.quality))].sort((a, b) => a - b);
    this.info = {
      id: ID, description: inr.description, media: ['image', 'audio'], modelId: model.id, qualities,
      defaultQuality: manifest.coolchic?.defaultQuality ?? manifest.image?.defaultQuality ?? manifest.audio.defaultQuality,
    };
    this.coolchic = manifest.coolchic ? new CoolChicImageCoder(runtime, model.dir, manifest.coolchic) : null;
  }

  /** Resolves the model (id or folder), checks its manifest and graph files, and prepares the runtime. */
  static open(options: OpenOptions = {}): Promise<InrCodec> {
    return openModelCodec(FAMILY, options, ({ files, manifest, runtime }) => new InrCodec(files, manifest, runtime));
  }

  /** What the last encode's fitting did, or null before the first encode. */
  get lastFit(): FitReport | null {
    return this.report && { ...this.report };
  }

  async encode(input: MediaInput, options: InrEncodeOptions = {}): Promise<Uint8Array> {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const media = await loadMedia(input);
    if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw invalidType('a function', 'options.onProgress', options.onProgress);
    if (media.kind === 'image' && this.manifest.coolchic) {
      const cc = this.manifest.coolchic;
      const level = levelOfOption(options.quality, cc.levels, cc.defaultQuality, 'image');
      return this.encodeCoolChic(media.image, level, checkBudget(options, level), options);
    }
    const levels = media.kind === 'image' ? this.manifest.image! : this.manifest.audio;
    const level = levelOfOption(options.quality, levels.levels, levels.defaultQuality, media.kind);
    const budget = checkBudget(options, level);
    return media.kind === 'image'
      ? this.encodeImage(media.image, level, budget, options)
      : this.encodeAudio(media.audio, level, budget, options);
  }

  private async encodeImage(image: LoadedImage, level: InrLevel, budget: Budget, options: InrEncodeOptions): Promise<Uint8Array> {
    const { width, height } = image;
    checkImageSize(width, height, ID);
    const set = imageBlocks(image, level.block);
    const { params, sections } = await this.fitAndCode(set, level, budget, options, 1);
    if (image.hasAlpha) sections.push(encodeAlpha(alphaPlane(image), width, height));
    return writeContainer({
      codecId: ID, modelId: this.model.id, modelHash: this.model.hash,
      media: { kind: 'image', width, height, channels: image.channels, bitDepth: image.bitDepth },
      rate: { kind: 'quality', value: level.quality }, params: encodeParams(params),
    }, sections);
  }

  private async encodeCoolChic(image: LoadedImage, level: CoolChicLevel, budget: Budget, options: InrEncodeOptions): Promise<Uint8Array> {
    const { width, height } = image;
    checkImageSize(width, height, ID);
    const { params, sections, report } = await this.coolchic!.encode(image, level, budget, mulberry32(SEED), options.onProgress);
    this.report = {
      steps: report.steps, seconds: report.seconds, blocks: 1, parameters: NETWORK_PARAMETERS, minibatchPsnr: report.psnr, coolchic: report,
    };
    if (image.hasAlpha) sections.push(encodeAlpha(alphaPlane(image), width, height));
    return writeContainer({
      codecId: ID, modelId: this.model.id, modelHash: this.model.hash,
      media: { kind: 'image', width, height, channels: image.channels, bitDepth: image.bitDepth },
      rate: { kind: 'quality', value: level.quality }, params,
    }, sections);
  }

  private async encodeAudio(audio: RawAudio, level: InrLevel, budget: Budget, options: InrEncodeOptions): Promise<Uint8Array> {
    const frames = audio.channels[0]?.length ?? 0;
    const peak = audioPeak(audio.channels);
    const set = audioBlocks(audio.channels, level.block, peak);
    const { params, sections } = await this.fitAndCode(set, level, budget, options, peak);
    return writeContainer({
      codecId: ID, modelId: this.model.id, modelHash: this.model.hash,
      media: { kind: 'audio', sampleRate: audio.sampleRate, channels: audio.channels.length, frames },
      rate: { kind: 'quality', value: level.quality }, params: encodeParams(params),
    }, sections);
  }

  /** Fits one network per block, quantizes and codes the weights: the header parameters and the weight section. */
  private async fitAndCode(set: BlockSet, level: InrLevel, budget: Budget, options: InrEncodeOptions, scale: number): Promise<{ params: InrParams; sections: Uint8Array[] }> {
    const arch: Architecture = { features: set.dims * axisFeatureCount(level.frequencies), width: level.width, depth: level.depth, channels: set.channels };
    const shapes = tensorShapes(arch);
    const graphs = this.graphsFor(level.depth);
    const prng = mulberry32(SEED);
    const init = sirenInit(arch, set.blocks, this.manifest.omega[1], prng);
    let fitted: FitResult;
    if (set.blocks === 0) {
      fitted = { params: init, stepSizes: stepSizes(init, level.bits), steps: 0, seconds: 0, mse: new Float32Array(0) };
    } else {
      const session = await this.runtime.session(path.join(this.model.dir, graphs.fitStep.file));
      fitted = await fitBlocks(session, graphs, init, shapes, set, blockFeatures(set.size, level.frequencies, set.dims), arch.features, {
        lr: level.lr, batch: level.batch, ...budget, refineFraction: REFINE_FRACTION,
        stepSizes: (p) => stepSizes(p, level.bits), omega: this.manifest.omega, prng, onProgress: options.onProgress,
      });
    }
    const ints = quantize(fitted.params, fitted.stepSizes);
    const maxAbs = maxAbsOf(ints);
    this.report = {
      steps: fitted.steps, seconds: fitted.seconds, blocks: set.blocks,
      parameters: ints.reduce((n, q) => n + q.length, 0), minibatchPsnr: psnrOf(fitted.mse),
    };
    return {
      params: {
        medium: set.dims === 2 ? 'image' : 'audio', block: level.block, width: level.width, depth: level.depth,
        octaves: level.frequencies, channels: set.channels, omega: [...this.manifest.omega], scale: Math.fround(scale),
        steps: fitted.stepSizes, maxAbs,
      },
      sections: [encodeWeights(ints, maxAbs)],
    };
  }

  async decode(bytes: Uint8Array): Promise<DecodedMedia> {
    if (!(bytes instanceof Uint8Array)) throw invalidType('a Uint8Array', 'bytes', bytes);
    const { header, sections } = readContainer(bytes);
    this.checkHeader(header);
    const { media } = header;
    if (media.kind === 'image' && header.params.length >= 2 && header.params[0] === PARAMS_VERSION && header.params[1] === COOLCHIC_MEDIUM) {
      return this.decodeCoolChic(header, sections);
    }
    const params = decodeParams(header.params);
    if (params.medium !== media.kind) throw corrupt(`The INR parameters describe ${params.medium} but the header ${media.kind}: the file is corrupt.`);
    const graphs = this.manifest.graphs.get(params.depth);
    if (!graphs) throw corrupt(`The stream uses networks of depth ${params.depth}, which model '${this.model.id}' has no graphs for: the header is corrupt.`);
    if (media.kind === 'image') {
      const { width, height, channels } = media;
      if (params.channels !== codedChannels(channels)) throw corrupt(`A ${channels}-channel image cannot have ${params.channels} coded channels: the header is corrupt.`);
      const { cols, rows } = imageGrid(width, height, params.block);
      const alpha = channels === 2 || channels === 4 ? 1 : 0;
      if (sections.length !== 1 + alpha) throw corrupt(`An INR image needs ${1 + alpha} sections but the file has ${sections.length}: the file is corrupt.`);
      if (width * height > MAX_PIXELS) throw corrupt(`A ${width}×${height} image exceeds the INR codec's limit: the header is corrupt.`);
      const values = await this.evaluate(params, graphs, cols * rows, 2, sections[0]!);
      const out = new Uint8Array(width * height * channels);
      writeImageBlocks(values, params.block, params.channels, width, height, out, channels);
      if (alpha) {
        decodeAlphaInto(sections[1]!, width, height, out, channels);
      }
      return { kind: 'image', width, height, channels: channels as DecodedImage['channels'], data: out };
    }
    const frames = Number(media.frames);
    if (params.channels !== 1) throw corrupt('INR audio must have one coded channel per block: the header is corrupt.');
    if (sections.length !== 1) throw corrupt(`An INR audio stream needs 1 section but the file has ${sections.length}: the file is corrupt.`);
    const blocks = media.channels * audioBlocksPerChannel(frames, params.block);
    const channels = Array.from({ length: media.channels }, () => new Float32Array(frames));
    if (blocks > 0) writeAudioBlocks(await this.evaluate(params, graphs, blocks, 1, sections[0]!), params.block, frames, params.scale, channels);
    const decoded: DecodedAudio = { kind: 'audio', sampleRate: media.sampleRate, channels };
    return decoded;
  }

  private async decodeCoolChic(header: ContainerHeader, sections: Uint8Array[]): Promise<DecodedImage> {
    if (header.media.kind !== 'image') throw corrupt('A Cool-chic stream must hold an image: the header is corrupt.');
    const { width, height, channels } = header.media;
    if (!this.coolchic) {
      throw new CodecError('ERR_MODEL_MISMATCH', `This file was coded with a Cool-chic image model but model '${this.model.id}' has none: open the codec with the file's model.`);
    }
    if (width * height > MAX_PIXELS) throw corrupt(`A ${width}×${height} image exceeds the INR codec's limit: the header is corrupt.`);
    const alpha = channels === 2 || channels === 4 ? 1 : 0;
    if (sections.length !== 2 + alpha) throw corrupt(`A Cool-chic image needs ${2 + alpha} sections but the file has ${sections.length}: the file is corrupt.`);
    const planar = await this.coolchic.decode(header.params, sections[0]!, sections[1]!, height, width);
    const out = new Uint8Array(width * height * channels);
    planarToPixels(planar, width, height, channels, out);
    if (alpha) decodeAlphaInto(sections[2]!, width, height, out, channels);
    return { kind: 'image', width, height, channels: channels as DecodedImage['channels'], data: out };
  }

  /** Decodes the weight stream of `blocks` networks and evaluates them at every block position. */
  private async evaluate(params: InrParams, graphs: DepthGraphs, blocks: number, dims: 1 | 2, stream: Uint8Array): Promise<Float32Array> {
    const arch: Architecture = { features: dims * axisFeatureCount(params.octaves), width: params.width, depth: params.depth, channels: params.channels };
    const shapes = tensorShapes(arch);
    const lengths = shapes.map(([r, c]) => blocks * r * c);
    if (lengths.reduce((a, b) => a + b, 0) > 2 ** 27) throw corrupt('The INR header describes more than 2²⁷ weights: the header is corrupt.');
    const weights = dequantize(decodeWeights(stream, lengths, params.maxAbs), params.steps);
    const session: ort.InferenceSession = await this.runtime.session(path.join(this.model.dir, graphs.evaluate.file), { deterministic: true });
    const area = blockArea({ dims, size: params.block });
    return evaluateBlocks(session, graphs, weights, shapes, blocks, blockFeatures(params.block, params.octaves, dims), area, arch.features, params.channels, params.omega);
  }

  async dispose(): Promise<void> {
    await this.runtime.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private graphsFor(depth: number): DepthGraphs {
    const graphs = this.manifest.graphs.get(depth);
    if (!graphs) throw new CodecError('ERR_MODEL_INVALID', `The INR model '${this.model.id}' has no graphs for depth ${depth}; re-export it.`);
    return graphs;
  }

  /** Checks codec id and model of a stream. */
  private checkHeader(header: ContainerHeader): void {
    checkStreamModel(header, ID, this.model);
    if (header.rate.kind !== 'quality') throw corrupt('An INR stream must carry its quality level: the header is corrupt.');
  }
}

type Budget = { maxSteps: number; maxSeconds: number };


/** Reads the input as the media it holds (src/media/sniff.ts decides). */
async function loadMedia(input: MediaInput): Promise<{ kind: 'image'; image: LoadedImage } | { kind: 'audio'; audio: RawAudio }> {
  if ((await mediaKindOf(input)) === 'image') return { kind: 'image', image: await loadImage(input as Exclude<MediaInput, RawAudio>) };
  return { kind: 'audio', audio: await loadAudio(input as Exclude<MediaInput, RawImage>) };
}

/** Opens an INR codec. */
export function openInr(options: OpenOptions = {}): Promise<InrCodec> {
  return InrCodec.open(options);
}

export const inr: CodecFactory = {
  id: ID,
  description: 'Implicit neural representations: per-block SIREN networks fitted at encode time (ONNX), quantized weights + adaptive range coding',
  media: ['image', 'audio'],
  open: (options: OpenOptions) => InrCodec.open(options),
};
