/**
 * `video`: low-delay learned video coding (IPPP…) on the hyperprior image model.
 *
 * I-frames are coded exactly as the `hyperprior` image codec codes a frame (its model, its rate level;
 * `gop: 1` gives that codec's frames). P-frames, by default (`inter: 'motion'`), are predicted from the
 * previous decoded frame by overlapped block motion compensation (motion.ts: one quarter-pel vector
 * per 16×16 block), and the residual goes through the same image model's g_a and g_s one to three rate
 * levels lower (the encoder also tries one level either side and keeps the best, `chooseResidual`), its
 * latent coded with the video model's residual hyperprior (residual-prior.ts, frame-coder.ts). Blocks
 * whose residual is not worth its bits are skipped (skip.ts: the prediction alone; a frame may skip
 * every block and code no residual at all). The other
 * modes code the image model's latent y_t conditionally on the previous decoded latents: an integer CNN
 * (inter-model.ts, `'learned'`) or the previous latent with static tables (`'delta'`) gives each
 * element's mean and scale-table index, and g_s decodes ŷ_t = v + μ. Tables are picked from the
 * bitstream and integer arithmetic only, so every machine entropy-decodes the same symbols. Frames are 8-bit 4:2:0 in the input's colour (BT.601/709, limited
 * or full range), converted to RGB for the networks; odd sizes are padded and cropped.
 *
 * Input frames stream through ffmpeg (src/media/video.ts): memory holds a few frames and the coded
 * bytes. A soundtrack is coded with an audio codec into the same container, or copied unchanged.
 * Layout of parameters and sections: bitstream.ts and docs/FORMAT.md.
 */
import { readHeader } from '../../src/container/format.js';
import { ByteReader } from '../../src/container/bytes.js';
import { crc32 } from '../../src/container/crc32.js';
import { END_MARKER } from '../../src/container/format.js';
import { writeContainer } from '../../src/container/format.js';
import type { ContainerHeader, VideoDescription } from '../../src/container/header.js';
import { checkStreamModel, levelOfHeader, levelOfOption } from '../../src/api/checks.js';
import { openModelCodec } from '../../src/api/model-codec.js';
import type {
  Codec, CodecFactory, CodecInfo, DecodedAudio, DecodedVideo, EncodeOptions, MediaInput, OpenOptions, VideoFormat, YuvFrame,
} from '../../src/api/types.js';
import { CodecError, isCodecError } from '../../src/errors.js';
import { probeVideo, readVideoFrames, type VideoSourceOptions } from '../../src/media/video.js';
import { checkFrame, rgbPlanarToYuv, yuvToRgbPlanar } from '../../src/media/yuv.js';
import type { Latent } from '../../src/tensor.js';
import { resolveModel, hex, type ModelFamily, type ModelFiles } from '../../src/model/store.js';
import type { Runtime } from '../../src/runtime/index.js';
import { checkInteger, invalidRange, invalidType } from '../../src/validate.js';
import { parseManifest as parseIntraManifest, type HyperpriorManifest, type RateLevel } from '../hyperprior/manifest.js';
import { HyperpriorNetworks, type StageTimings } from '../hyperprior/networks.js';
import {
  decodeParams, encodeAudio, encodeAudioCopy, encodeFrame, encodeIndex, encodeParams, isFrameSection, parseSection,
  type GopEntry, type Soundtrack, type VideoInterMode, type VideoParams,
} from './bitstream.js';
import { FrameCoder, type ResidualCandidate } from './frame-coder.js';
import { InterModel, type InterMode } from './inter-model.js';
import { parseManifest, type VideoManifest } from './manifest.js';
import { ResidualPrior } from './residual-prior.js';
import { MotionContexts, compensate, compensateOverlapped, decodeMotion, encodeMotion, estimateMotion, blockGrid } from './motion.js';

export { parseManifest, type VideoManifest } from './manifest.js';
export type { InterMode } from './inter-model.js';
export type { VideoInterMode } from './bitstream.js';

const ID = 'video';
/** The model a codec opens when none is named. */
export const DEFAULT_MODEL = 'cond-msh-wf';
/** P-frame coding when none is asked for. */
export const DEFAULT_INTER: VideoInterMode = 'motion';
/**
 * The motion search's λ_m (squared 8-bit luma error per bit) is this over the residual's rate level's λ
 * (the image model's loss λ·255²·MSE + bpp): the prediction error is not the final distortion (the
 * residual codes part of it). On the validation clips 0.5 and 1 tie (offset 2); 0.25 lost 1.6 points
 * of BD-rate (offset 0); with the residual prior 0.25, 0.5 and 1 are within 0.2 points.
 */
const MOTION_LAMBDA_SCALE = 0.5;
/**
 * The chroma gain (in sixteenths) the encoder gives motion residuals: their colour difference from luma
 * is scaled by 1.5 before the image model codes them and by 1/1.5 after, so the residual coder spends
 * more on colour than its training on RGB images makes it. Validation clips (mean BD-rate against
 * intra): at 176×144 with the earlier vector code, gain 0.5 −71.0 %, 0.7 −73.0 %, 1 −74.6 %, 1.3 −75.4 %,
 * 1.6 −75.6 %, 2 −75.9 %; with the current one, 1 −76.7 %, 1.5 −77.8 %, 2 −78.0 %; at 320×240, 1 −73.1 %,
 * 1.5 −74.3 %. 1.5 gains 3–4 points on mdn-friday and stays within 0.2 on the other two clips; 2 loses
 * 0.4–1.2 points on those two.
 */
const RESIDUAL_CHROMA_GAIN16 = 24;
/**
 * Motion-compensated P-frames code their residual this many rate levels below the I-frame's (the
 * lowest level at most), P-frame k of a GOP (k = 1, 2, …) with entry (k − 1) mod 4: a residual is
 * corrected by the next frames' residuals, the I-frame's errors last the whole GOP, and a better
 * frame every fourth lifts the frames that predict from it. Chosen on the validation clips
 * (models/train/video/validation-clips.txt, 32 frames, BD-rate against the intra-only mode, mean of
 * the three): one offset for all, at 320×240 with the image model's prior, 0 −49.5 %, 1 −52.1 %,
 * 2 −55.5 %, 3 −56.7 % (but q7 at 39 dB instead of 44); with the residual prior, at 176×144 copies,
 * 1 −71.6 %, 2 −73.1 %, 3 −72.4 %; patterns: [1, 3, 3, 3] −74.6 % (at 320×240 −71.4 % against
 * −69.8 % for 2), [1, 4, 4, 4] −74.7 %, [1, 3×7] −74.6 %, [1, 2, 2, 2] −73.9 %, [0, 3, 3, 3] −73.9 %,
 * [2, 3] −73.5 %.
 */
const RESIDUAL_LEVEL_OFFSETS = [1, 3, 3, 3] as const;
/**
 * Blocks are skipped at this multiple of the frame's λ (skip.ts, `chooseSkips`): a skip also spares the
 * next frames a residual to correct, which J of one frame does not see. Validation clips at 176×144
 * (BD-rate against x264 of the three; skips at 1× against none: mdn-friday +576.9 → +410.6 %, milk
 * +180.4 → +30.8 %, opencv-box +214.6 → +25.6 %): 0.5× +436.9 / +30.0 / +23.5 %, 2× +404.9 / +28.1 /
 * +26.1 %, 4× +408.5 / +28.6 / +26.1 %.
 */
const SKIP_LAMBDA_SCALE = 2;

/**
 * The encoder codes each motion-compensated residual at the offset pattern's level and at the levels
 * one below and one above it, each also with its skipped blocks (skip.ts), weighs them against coding
 * no residual at all, and keeps the one with the least J = λ·255²·MSE + bits per pixel (λ of the
 * pattern's position, `lambdaAt`; MSE of x̂ against the frame over its own pixels). On the validation
 * clips (BD-rate against intra, mean of three, 176×144): −78.4 % → −78.9 % for the three levels; λ × 0.7
 * and × 1.5 −78.9 % and −78.8 %; levels two away as well −78.6 %. Triples the residual coding time.
 */
async function chooseResidual(
  coder: FrameCoder, x: Latent, pred: Float32Array, level: RateLevel, lambdaOf: number, levels: readonly RateLevel[], visible: { height: number; width: number },
  grid: { rows: number; cols: number },
): Promise<{ coded: ResidualCandidate; level: RateLevel }> {
  const gain = RESIDUAL_CHROMA_GAIN16 / 16;
  const lambda = lambdaOf * 255 * 255;
  const pixels = visible.height * visible.width;
  const cost = (c: ResidualCandidate): number => lambda * visibleMse(x, c.xHat.data, visible) + (8 * (c.z.length + c.y.length)) / pixels;
  const skips = { lambda: lambdaOf * SKIP_LAMBDA_SCALE, grid };
  // no residual at all: every block skipped
  const none = { z: new Uint8Array(0), y: new Uint8Array(0), xHat: coder.predictionOnly(pred, x, visible), skip: { ...grid, skip: new Uint8Array(grid.rows * grid.cols).fill(1) } };
  let best = { coded: none as ResidualCandidate, level, cost: cost(none) };
  const at = levels.indexOf(level);
  for (const candidate of [level, levels[at - 1], levels[at + 1]]) {
    if (!candidate) continue;
    for (const coded of await coder.encodeResidualCandidates(x, pred, candidate, gain, visible, true, skips)) {
      const c = cost(coded);
      if (c < best.cost) best = { coded, level: candidate, cost: c };
    }
  }
  return best;
}

/**
 * The values of a frame's Cb and Cr planes when each holds one value (a monochrome frame), else null.
 * A stream whose every frame has the same ones says so in its parameters (layout 4), and decoded frames
 * get exactly them: a monochrome video keeps colourless frames, where the coded RGB would put a little
 * colour noise (the codec codes RGB).
 */
function constantChromaOf(frame: YuvFrame): { u: number; v: number } | null {
  const u = frame.u[0]!;
  const v = frame.v[0]!;
  return sameChroma(frame, { u, v }) ? { u, v } : null;
}

function sameChroma(frame: YuvFrame, c: { u: number; v: number }): boolean {
  return frame.u.every((s) => s === c.u) && frame.v.every((s) => s === c.v);
}

/**
 * λ of the image model's rate level `index` (0-based); below the lowest level (where the offset pattern
 * puts a P-frame of the lowest qualities) it goes on geometrically, λ₀·(λ₀/λ₁)^−index, so the
 * residual's level choice, its skipped blocks and the motion search weigh rate more there though the
 * residual is coded at the lowest level. A manifest without λ gets the middle of the trained range's.
 * Validation clips at 176×144 with skipped blocks (2× λ), BD-rate against the clamped λ's: −2.0, −3.2,
 * −0.5 % (mdn-friday, milk, opencv-box); for J and the skips alone −1.6, −2.1, −0.4 %. λ_m × 1 instead
 * of × 0.5 with it: −2.4, −2.6, −0.8 % (a tie, left at 0.5).
 */
function lambdaAt(levels: readonly RateLevel[], index: number): number {
  const of = (l: RateLevel | undefined): number => l?.lambda ?? 0.013;
  if (index >= 0) return of(levels[index]);
  const l0 = of(levels[0]);
  const l1 = levels.length > 1 ? of(levels[1]) : 2 * l0;
  return l0 * (l0 / l1) ** -index;
}

/** Mean squared error of `xHat` (planar RGB of `x`'s padded size) against `x` over the frame's own pixels. */
function visibleMse(x: Latent, xHat: Float32Array, visible: { height: number; width: number }): number {
  let sum = 0;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < visible.height; y++) {
      const row = (c * x.height + y) * x.width;
      for (let i = row; i < row + visible.width; i++) sum += (x.data[i]! - xHat[i]!) ** 2;
    }
  }
  return sum / (3 * visible.height * visible.width);
}

/** Largest frame side coded (the frame is one tile of the image model). */
export const MAX_FRAME_SIDE = 4096;

/** Frames given directly instead of a file: their format and the frames, in display order. */
export interface RawVideo {
  format: VideoFormat;
  frames: Iterable<YuvFrame> | AsyncIterable<YuvFrame>;
  /** A soundtrack to code with the frames. */
  audio?: DecodedAudio | { kind?: 'audio'; channels: Float32Array[]; sampleRate: number };
}

/** How the soundtrack of the input is stored: not at all, copied unchanged, or coded by an audio codec (id). */
export type AudioChoice = 'none' | 'copy' | string;

export interface VideoEncodeOptions extends EncodeOptions, VideoSourceOptions {
  /** Frames per GOP: an I-frame every `gop` frames (1 = every frame intra). Default: the model's (32). */
  gop?: number;
  /** Code at most this many frames. */
  frames?: number;
  /**
   * How P-frames are coded: 'motion' (default: block motion compensation from the previous decoded
   * frame and the residual coded through the image model with the residual prior), 'learned' (the latent conditioned on the previous
   * latents by the inter network) or 'delta' (the latent's difference with static tables, a baseline).
   */
  inter?: VideoInterMode;
  /** Soundtrack: 'none', 'copy', or an audio codec id ('opuspf', 'rvq', 'wavelet'); default: the default audio codec when the input has one. */
  audio?: AudioChoice;
  /** Quality of the audio codec (its own levels). */
  audioQuality?: number;
}

export interface DecodeFramesOptions {
  /** First frame to deliver (0-based): decoding starts at the I-frame of its GOP. */
  start?: number;
  /** Deliver at most this many frames. */
  maxFrames?: number;
}

/** A decoded frame and its number in the stream. */
export interface NumberedFrame {
  index: number;
  frame: YuvFrame;
}

/** The soundtrack of a video stream. */
export type VideoSoundtrack = { kind: 'coded'; container: Uint8Array } | { kind: 'copied'; format: string; bytes: Uint8Array };

/** Encoder state of one video: push frames, get section payloads. */
export interface VideoEncoderSession {
  /** Codes one frame; returns its section payload. */
  push(frame: YuvFrame): Promise<Uint8Array>;
  /** Frames coded so far. */
  readonly frames: number;
  /** Ends the stream: the GOP index section and the container header (with the frame count). */
  end(): { index: Uint8Array; header: Omit<ContainerHeader, 'version'> };
}

/** Decoder state of one video: feed frame sections in order, get frames. */
export interface VideoDecoderSession {
  readonly format: VideoFormat;
  /** Decodes one frame section; `where` names it in errors. */
  push(payload: Uint8Array, where: string): Promise<NumberedFrame>;
}

const FAMILY: ModelFamily<VideoManifest> = {
  id: ID, defaultModel: DEFAULT_MODEL, parseManifest, filesOf: (m) => [m.inter.file, ...(m.residual ? [m.residual.graphs.hA.file, m.residual.graphs.hS.file] : [])],
};

function corrupt(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', message);
}

function padTo(n: number, factor: number): number {
  return Math.ceil(n / factor) * factor;
}

export class VideoCodec implements Codec {
  readonly id = ID;
  readonly info: CodecInfo;

  private constructor(
    private readonly model: ModelFiles,
    private readonly manifest: VideoManifest,
    private readonly intra: HyperpriorManifest,
    private readonly runtime: Runtime,
    private readonly coder: FrameCoder,
  ) {
    this.info = {
      id: ID, description: video.description, media: ['video'], modelId: model.id,
      qualities: intra.rateLevels.map((l) => l.quality), defaultQuality: intra.defaultQuality,
    };
  }

  /** Opens the video model, the image model of its intra frames (checked against the hash it was trained with) and the runtime. */
  static open(options: OpenOptions = {}): Promise<VideoCodec> {
    return openModelCodec(FAMILY, options, ({ files, manifest, runtime }) => {
      const intraFiles = resolveModel('hyperprior', manifest.intra.id, manifest.intra.id);
      if (hex(intraFiles.hash) !== manifest.intra.hash) {
        throw new CodecError(
          'ERR_MODEL_INVALID',
          `The video model '${files.id}' was trained on the latents of hyperprior/${manifest.intra.id} with hash ` +
            `${manifest.intra.hash.slice(0, 16)}…, but the installed model has ${hex(intraFiles.hash).slice(0, 16)}…: ` +
            'retrain the inter model (models/train/video/README.md) or install the matching image model.',
        );
      }
      const intra = parseIntraManifest(intraFiles.manifest);
      if (intra.yChannels !== manifest.inter.channels || intra.scaleTable.length !== manifest.inter.tableSize || intra.rateLevels.length !== manifest.inter.levels) {
        throw new CodecError('ERR_MODEL_INVALID', `The video model '${files.id}' does not fit hyperprior/${intra.id} (channels, scale table or rate levels differ); re-export it.`);
      }
      const networks = new HyperpriorNetworks(runtime, intra, intraFiles.dir);
      const residual = manifest.residual && new ResidualPrior(runtime, manifest.residual, files.dir, intra.yChannels);
      const coder = new FrameCoder(networks, intra, new InterModel(manifest, files.dir, runtime.threads), residual);
      return new VideoCodec(files, manifest, intra, runtime, coder);
    });
  }

  /** Milliseconds per stage (g_a, h_a, h_s, g_s, entropy coding with the inter network) of the last encode or decode. */
  get lastTimings(): StageTimings {
    return this.coder.clock.snapshot();
  }

  /** The model's parity vector through the integer network: true when this machine computes it bit for bit. */
  checkParity(): boolean {
    const p = this.manifest.parity;
    const inter = new InterModel(this.manifest, this.model.dir);
    const { mu16, index } = inter.predict(p.ctx16, p.height, p.width, p.level - 1, 'learned', p.ctx16b);
    return mu16.every((v, i) => v === p.mu16[i]) && index.every((v, i) => v === p.index[i]);
  }

  /** Starts coding a video of `format` frame by frame. */
  createVideoEncoder(format: VideoFormat, options: VideoEncodeOptions = {}, soundtrack: Soundtrack = 'none'): VideoEncoderSession {
    const { width, height } = checkFormat(format);
    const level = levelOfOption(options.quality, this.intra.rateLevels, this.intra.defaultQuality, 'video');
    const levelIndex = this.intra.rateLevels.indexOf(level);
    const gop = checkInteger(options.gop ?? this.manifest.defaultGop, 'options.gop', 1, 65535);
    const inter = checkInter(options.inter);
    const f = this.intra.downsamplingFactor;
    const pw = padTo(width, f);
    const ph = padTo(height, f);
    const firstSection = soundtrack === 'none' ? 0 : 1;
    const gops: GopEntry[] = [];
    let frames = 0;
    let ctx: Int32Array | undefined;
    let ctx2: Int32Array | undefined; // frame t−2 within the GOP (two-frame inter models)
    let ref: Float32Array | undefined; // x̂_{t−1} (motion mode)
    let motionContexts = new MotionContexts(); // fresh at each I-frame
    const motionGrid = blockGrid(width, height); // the blocks holding the frame's own pixels
    let chroma: { u: number; v: number } | null | undefined; // the chroma of every frame so far, when constant
    // the residual's level and λ_m of the motion search per position in the offset pattern (a manifest
    // without λ gets the middle of the trained range's)
    const rateLevels = this.intra.rateLevels;
    const residualLevels = RESIDUAL_LEVEL_OFFSETS.map((offset) => {
      const lambda = lambdaAt(rateLevels, levelIndex - offset);
      return { level: rateLevels[Math.max(0, levelIndex - offset)]!, lambda, motionLambda: MOTION_LAMBDA_SCALE / lambda };
    });
    const coder = this.coder;
    const intra = this.intra;
    const header = (): Omit<ContainerHeader, 'version'> => ({
      codecId: ID, modelId: this.model.id, modelHash: this.model.hash,
      media: { kind: 'video', width, height, fpsNum: format.fps.num, fpsDen: format.fps.den, frames, matrix: format.colour.matrix, range: format.colour.range },
      rate: { kind: 'quality', value: level.quality },
      params: encodeParams({ layout: 4, gop, inter, soundtrack, chromaGain16: RESIDUAL_CHROMA_GAIN16, constantChroma: chroma ?? null }),
    });
    return {
      get frames() { return frames; },
      async push(frame: YuvFrame): Promise<Uint8Array> {
        checkFrame(frame, width, height, `frame ${frames}`);
        chroma = frames === 0 ? constantChromaOf(frame) : chroma && sameChroma(frame, chroma) ? chroma : null;
        const x = { channels: 3, height: ph, width: pw, data: yuvToRgbPlanar(frame, format.colour, pw, ph) };
        const n = frames;
        let payload: Uint8Array;
        if (inter === 'motion' && n % gop !== 0 && ref) {
          const visible = { height, width };
          const { level: residualLevel, lambda, motionLambda } = residualLevels[((n % gop) - 1) % residualLevels.length]!;
          const field = estimateMotion(x.data, ref, ph, pw, motionLambda, visible, motionContexts);
          const pred = compensateOverlapped(ref, 3, ph, pw, field);
          const { coded, level: chosen } = await chooseResidual(coder, x, pred, residualLevel, lambda, intra.rateLevels, visible, motionGrid);
          const skip = coded.skip ?? { ...motionGrid, skip: new Uint8Array(motionGrid.rows * motionGrid.cols) };
          payload = encodeFrame({ kind: 'M', frame: n, quality: chosen.quality, motion: encodeMotion(field, motionGrid, motionContexts, skip), z: coded.z, y: coded.y });
          ref = coded.xHat.data;
          frames++;
          return payload;
        }
        const y = await coder.analyse(x, level);
        if (y.channels !== intra.yChannels || y.height * intra.yStride !== ph || y.width * intra.yStride !== pw) {
          throw new CodecError('ERR_MODEL_INVALID', `g_a returned a ${y.channels}×${y.height}×${y.width} latent for a ${ph}×${pw} frame: the image model does not match its manifest.`);
        }
        if (n % gop === 0 || !ctx) {
          const coded = await coder.encodeIntra(y, level, inter === 'motion' && gop > 1);
          gops.push({ firstFrame: n, section: firstSection + n });
          payload = encodeFrame({ kind: 'I', frame: n, z: coded.z!, y: coded.y });
          ctx2 = undefined;
          ctx = coded.ctx16;
          ref = coded.xHat?.data;
          motionContexts = new MotionContexts();
        } else {
          const coded = coder.encodeInter(y, ctx, levelIndex, latentMode(inter), ctx2);
          payload = encodeFrame({ kind: 'P', frame: n, y: coded.y });
          ctx2 = ctx;
          ctx = coded.ctx16;
        }
        frames++;
        return payload;
      },
      end() {
        if (frames === 0) throw new CodecError('ERR_INVALID_ARGUMENT', 'The video has no frames: there is nothing to code.');
        return { index: encodeIndex(frames, gops), header: header() };
      },
    };
  }

  /** Starts decoding the frames of a stream with `header` (frame sections in order, from an I-frame on). */
  createVideoDecoder(header: ContainerHeader): VideoDecoderSession {
    const { level, media, params } = this.checkHeader(header);
    const levelIndex = this.intra.rateLevels.indexOf(level);
    const f = this.intra.downsamplingFactor;
    const pw = padTo(media.width, f);
    const ph = padTo(media.height, f);
    const shape = { channels: this.intra.yChannels, height: ph / this.intra.yStride, width: pw / this.intra.yStride };
    const colour = { matrix: media.matrix, range: media.range };
    const format = formatOf(media);
    let ctx: Int32Array | undefined;
    let ctx2: Int32Array | undefined;
    let ref: Float32Array | undefined;
    let expected: number | undefined;
    const grid = blockGrid(pw, ph);
    const motionGrid = blockGrid(media.width, media.height);
    // layout 3 on synthesises residuals from the latent positions covering the frame (frame-coder.ts)
    const crop = params.layout >= 3 ? { height: media.height, width: media.width } : undefined;
    // and predicts with overlapped blocks (motion.ts); layout 4 skips blocks (skip.ts)
    const predict = params.layout >= 3 ? compensateOverlapped : compensate;
    const withSkip = params.layout >= 4;
    let motionContexts = new MotionContexts();
    const coder = this.coder;
    const intraLevels = this.intra.rateLevels;
    return {
      format,
      async push(payload: Uint8Array, where: string): Promise<NumberedFrame> {
        const s = parseSection(payload, where);
        if (s.kind !== 'I' && s.kind !== 'P' && s.kind !== 'M') throw corrupt(`${where}: a frame was expected; the file is corrupt.`);
        if (s.kind !== 'I' && (s.kind === 'M') !== (params.inter === 'motion')) {
          throw corrupt(`${where}: a ${s.kind === 'M' ? 'motion-compensated' : 'latent'} P-frame in a stream whose header says '${params.inter}' P-frames; the file is corrupt.`);
        }
        if (expected !== undefined && s.frame !== expected) throw corrupt(`${where}: frame ${s.frame} follows frame ${expected - 1}; the file is corrupt.`);
        if (media.frames > 0 && s.frame >= media.frames) throw corrupt(`${where}: frame ${s.frame} is beyond the ${media.frames} frames of the header; the file is corrupt.`);
        const what = `frame ${s.frame} (${where})`;
        let decoded;
        try {
          if (s.kind === 'I') {
            decoded = await coder.decodeIntra(s.z, s.y, shape, level);
            motionContexts = new MotionContexts();
          }
          else if (s.kind === 'M') {
            if (!ref) throw corrupt(`${what} is a P-frame without a preceding I-frame; the file is corrupt.`);
            const residualLevel = intraLevels.find((l) => l.quality === s.quality);
            if (!residualLevel) throw corrupt(`${what} codes its residual at quality ${s.quality}, which the image model lacks; the file is corrupt.`);
            const field = decodeMotion(s.motion, grid.rows, grid.cols, motionGrid, motionContexts, what, withSkip);
            const xHat = await coder.decodeResidual(s.z, s.y, shape, residualLevel, predict(ref, 3, ph, pw, field), params.chromaGain16 / 16, what, crop, field.skip);
            decoded = { xHat, ctx16: new Int32Array(0) };
          } else {
            if (!ctx) throw corrupt(`${what} is a P-frame without a preceding I-frame; the file is corrupt.`);
            decoded = await coder.decodeInter(s.y, ctx, shape, level, levelIndex, latentMode(params.inter), ctx2);
          }
        } catch (err) {
          if (isCodecError(err) && (err.code === 'ERR_BITSTREAM_CORRUPT' || err.code === 'ERR_BITSTREAM_TRUNCATED') && !err.message.startsWith(what)) {
            throw new CodecError(err.code, `${what}: ${err.message}`, { cause: err });
          }
          throw err;
        }
        ctx2 = s.kind === 'I' ? undefined : ctx;
        ctx = decoded.ctx16;
        ref = decoded.xHat.data;
        expected = s.frame + 1;
        const frame = rgbPlanarToYuv(decoded.xHat.data, pw, ph, media.width, media.height, colour);
        if (params.constantChroma) {
          frame.u.fill(params.constantChroma.u);
          frame.v.fill(params.constantChroma.v);
        }
        return { index: s.frame, frame };
      },
    };
  }

  async encode(input: MediaInput | RawVideo, options: VideoEncodeOptions = {}): Promise<Uint8Array> {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const maxFrames = options.frames === undefined ? undefined : checkInteger(options.frames, 'options.frames', 1, 2 ** 31);
    const { format, frames, soundtrack } = await this.openInput(input, options, maxFrames);
    const sections: Uint8Array[] = [];
    if (soundtrack) sections.push(soundtrack.kind === 'coded' ? encodeAudio(soundtrack.container) : encodeAudioCopy(soundtrack.format, soundtrack.bytes));
    const session = this.createVideoEncoder(format, options, soundtrack ? soundtrack.kind : 'none');
    this.coder.clock.reset();
    const total = maxFrames === undefined ? format.frameCount : Math.min(maxFrames, format.frameCount ?? maxFrames);
    for await (const frame of frames) {
      if (maxFrames !== undefined && session.frames >= maxFrames) break;
      sections.push(await session.push(frame));
      options.onProgress?.({ phase: 'frames', done: session.frames, total });
    }
    const { index, header } = session.end();
    sections.push(index);
    return writeContainer(header, sections);
  }

  /** Decodes a whole stream into memory ({@link decodeFrames} streams it instead). */
  async decode(bytes: Uint8Array): Promise<DecodedVideo> {
    if (!(bytes instanceof Uint8Array)) throw invalidType('a Uint8Array', 'bytes', bytes);
    const { header } = readHeader(bytes);
    const { media } = this.checkHeader(header);
    const frames: YuvFrame[] = [];
    for await (const { frame } of this.decodeFrames(bytes)) frames.push(frame);
    const result: DecodedVideo = { kind: 'video', format: formatOf(media), frames };
    const track = soundtrackOf(bytes);
    if (track?.kind === 'coded') {
      const { decode } = await import('../../src/api/registry.js');
      const audio = await decode(track.container);
      if (audio.kind !== 'audio') throw corrupt('The soundtrack section does not hold audio; the file is corrupt.');
      result.audio = audio;
    }
    return result;
  }

  /**
   * Decodes frames one at a time, from the start or from the GOP holding `options.start` (found
   * through the GOP index). Frames before any damage are delivered; then a typed error names the
   * frame and section where decoding stopped.
   */
  async *decodeFrames(bytes: Uint8Array, options: DecodeFramesOptions = {}): AsyncGenerator<NumberedFrame, void, undefined> {
    if (!(bytes instanceof Uint8Array)) throw invalidType('a Uint8Array', 'bytes', bytes);
    const start = checkInteger(options.start ?? 0, 'options.start', 0, 2 ** 32);
    const max = options.maxFrames === undefined ? Infinity : checkInteger(options.maxFrames, 'options.maxFrames', 1, 2 ** 32);
    const { header, end } = readHeader(bytes);
    const session = this.createVideoDecoder(header);
    const media = header.media as VideoDescription;
    if (media.frames > 0 && start >= media.frames) throw invalidRange(`a frame number below ${media.frames}`, 'options.start', start);
    const walk = walkSections(bytes, end);
    // Frame n is in section firstSection + n (one section per frame, after the soundtrack if any).
    const firstSection = decodeParams(header.params).soundtrack === 'none' ? 0 : 1;
    const from = start > 0 ? seekSection(walk, start, header) : 0;
    let delivered = 0;
    let last: number | undefined;
    for (const s of walk.sections.slice(from)) {
      const stopped = () => stoppedAt(s.number, firstSection, media.frames, last);
      if (s.damage) throw new CodecError(s.damage.code, `${stopped()}: ${s.damage.message}`);
      const kind = s.payload[0];
      let decoded: NumberedFrame;
      try {
        if (!isFrameSection(kind)) {
          checkOtherSection(s, walk, media.frames, firstSection);
          continue;
        }
        decoded = await session.push(s.payload, `section ${s.number}`);
      } catch (err) {
        if (isCodecError(err) && /^ERR_BITSTREAM_/.test(err.code) && !/^(frame|section) /.test(err.message)) {
          throw new CodecError(err.code, `${stopped()}: ${err.message}`, { cause: err });
        }
        throw err;
      }
      last = decoded.index;
      if (decoded.index < start) continue;
      yield decoded;
      if (++delivered >= max) return;
    }
    if (media.frames > 0 && (last === undefined || last + 1 < media.frames)) {
      throw corrupt(`The file ends ${last === undefined ? 'before frame 0' : `after frame ${last}`}, but its header counts ${media.frames} frames; the file is corrupt.`);
    }
    if (walk.trailerDamage) {
      throw new CodecError(walk.trailerDamage.code, `All ${last === undefined ? '' : `${last + 1} `}frames decoded, but ${walk.trailerDamage.message}`);
    }
  }

  /** The stream's soundtrack (coded or copied), or null when it has none. */
  soundtrack(bytes: Uint8Array): VideoSoundtrack | null {
    return soundtrackOf(bytes);
  }

  async dispose(): Promise<void> {
    this.coder.dispose();
    await this.runtime.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private checkHeader(header: ContainerHeader): { level: RateLevel; media: VideoDescription; params: VideoParams } {
    checkStreamModel(header, ID, this.model);
    const level = levelOfHeader(header, this.intra.rateLevels, this.model.id);
    if (header.media.kind !== 'video') throw corrupt('A video stream must describe a video: the header is corrupt.');
    if (header.media.width > MAX_FRAME_SIDE || header.media.height > MAX_FRAME_SIDE) {
      throw corrupt(`The header describes ${header.media.width}×${header.media.height} frames, beyond ${MAX_FRAME_SIDE}: the header is corrupt.`);
    }
    return { level, media: header.media, params: decodeParams(header.params) };
  }

  private async openInput(input: MediaInput | RawVideo, options: VideoEncodeOptions, maxFrames: number | undefined):
    Promise<{ format: VideoFormat; frames: Iterable<YuvFrame> | AsyncIterable<YuvFrame>; soundtrack?: VideoSoundtrack }> {
    const choice = options.audio;
    if (choice !== undefined && typeof choice !== 'string') throw invalidType("'none', 'copy' or an audio codec id", 'options.audio', choice);
    if (typeof input === 'string') {
      const probe = await probeVideo(input, options);
      const frames = readVideoFrames(input, { size: options.size, fps: options.fps, maxFrames });
      let soundtrack: VideoSoundtrack | undefined;
      // A coded soundtrack ends with the last coded frame (a copied one is stored whole).
      const seconds = maxFrames !== undefined && maxFrames < probe.frameCount ? (maxFrames * probe.fps.den) / probe.fps.num : undefined;
      if (probe.audio && choice !== 'none') soundtrack = await this.soundtrackFrom(input, choice, options.audioQuality, seconds);
      else if (!probe.audio && choice !== undefined && choice !== 'none') {
        throw new CodecError('ERR_INVALID_ARGUMENT', `${input} has no soundtrack, so --audio ${choice} has nothing to code; leave it out or pass 'none'.`);
      }
      return { format: probe, frames, soundtrack };
    }
    if (isRawVideo(input)) {
      checkFormat(input.format);
      let soundtrack: VideoSoundtrack | undefined;
      if (input.audio && choice !== 'none') {
        if (choice === 'copy') throw new CodecError('ERR_INVALID_ARGUMENT', "Raw audio cannot be copied: choose an audio codec ('opuspf', 'rvq', 'wavelet') or 'none'.");
        const seconds = maxFrames === undefined ? undefined : (maxFrames * input.format.fps.den) / input.format.fps.num;
        soundtrack = await this.codeAudio(trimAudio(input.audio, seconds), choice, options.audioQuality);
      }
      return { format: input.format, frames: input.frames, soundtrack };
    }
    throw new CodecError('ERR_UNSUPPORTED_MEDIA', 'The video codec reads a video file path (y4m, mp4, mkv, webm, avi, or raw .yuv with size and fps) or { format, frames } of YUV 4:2:0 frames.');
  }

  private async soundtrackFrom(file: string, choice: AudioChoice | undefined, quality: number | undefined, seconds: number | undefined): Promise<VideoSoundtrack> {
    if (choice === 'copy') {
      const { copyAudioStream } = await import('../../src/media/video.js');
      const { bytes, format } = await copyAudioStream(file, seconds);
      return { kind: 'copied', format, bytes };
    }
    const { loadAudio } = await import('../../src/media/audio.js');
    return this.codeAudio(trimAudio(await loadAudio(file), seconds), choice, quality);
  }

  private async codeAudio(audio: { channels: Float32Array[]; sampleRate: number }, choice: AudioChoice | undefined, quality: number | undefined): Promise<VideoSoundtrack> {
    const { DEFAULT_CODEC, openCodec } = await import('../../src/api/registry.js');
    const id = choice ?? DEFAULT_CODEC.audio.codec;
    const codec = await openCodec(id, id === DEFAULT_CODEC.audio.codec ? { model: DEFAULT_CODEC.audio.model } : {});
    try {
      if (!codec.info.media.includes('audio')) throw new CodecError('ERR_INVALID_ARGUMENT', `'${id}' is not an audio codec; choose rvq, wavelet, copy or none for the soundtrack.`);
      return { kind: 'coded', container: await codec.encode(audio, quality === undefined ? {} : { quality }) };
    } finally {
      await codec.dispose();
    }
  }
}

/** The first `seconds` of `audio` (all of it when undefined or longer). */
function trimAudio(audio: { channels: Float32Array[]; sampleRate: number }, seconds: number | undefined): { channels: Float32Array[]; sampleRate: number } {
  if (seconds === undefined) return { channels: audio.channels, sampleRate: audio.sampleRate };
  const n = Math.max(1, Math.ceil(seconds * audio.sampleRate));
  return { channels: audio.channels.map((c) => (c.length > n ? c.subarray(0, n) : c)), sampleRate: audio.sampleRate };
}

/** The soundtrack section of a video stream, or null when it has none. */
export function soundtrackOf(bytes: Uint8Array): VideoSoundtrack | null {
  const { end } = readHeader(bytes);
  const first = walkSections(bytes, end).sections[0];
  if (!first || first.damage) return null;
  const s = parseSection(first.payload, 'section 0');
  if (s.kind === 'audio') return { kind: 'coded', container: s.container };
  if (s.kind === 'audio-copy') return { kind: 'copied', format: s.format, bytes: s.bytes };
  return null;
}

interface Walked {
  sections: Array<{ number: number; payload: Uint8Array; damage?: CodecError }>;
  trailerDamage?: CodecError;
}

/** Every section after the header, with its CRC checked; the first damaged one ends the list. */
function walkSections(bytes: Uint8Array, offset: number): Walked {
  const sections: Walked['sections'] = [];
  const r = new ByteReader(bytes, offset);
  let crc = crc32(bytes.subarray(0, offset));
  for (;;) {
    const number = sections.length;
    if (r.remaining < 4) {
      return { sections: [...sections, { number, payload: new Uint8Array(0), damage: new CodecError('ERR_BITSTREAM_TRUNCATED', 'the file ends here; it is truncated.') }] };
    }
    const at = r.offset;
    const length = r.u32();
    if (length === END_MARKER) {
      const trailer = checkTrailer(bytes, r, number, crc32(bytes.subarray(at, at + 4), crc));
      return { sections, trailerDamage: trailer };
    }
    if (length > r.remaining - 4) {
      return { sections: [...sections, { number, payload: new Uint8Array(0), damage: new CodecError('ERR_BITSTREAM_TRUNCATED', `it claims ${length} bytes and ${Math.max(0, r.remaining - 4)} are left; the file is truncated.`) }] };
    }
    const payload = r.bytes(length);
    const sectionCrc = r.u32();
    if (crc32(payload) !== sectionCrc) {
      return { sections: [...sections, { number, payload, damage: new CodecError('ERR_CRC_MISMATCH', 'it fails its CRC check; the file is corrupt.') }] };
    }
    crc = crc32(bytes.subarray(at, r.offset), crc);
    sections.push({ number, payload });
  }
}

function checkTrailer(bytes: Uint8Array, r: ByteReader, count: number, crc: number): CodecError | undefined {
  if (r.remaining < 8) return new CodecError('ERR_BITSTREAM_TRUNCATED', 'the trailer is cut short; the file is truncated.');
  const at = r.offset;
  const n = r.u32();
  const running = crc32(bytes.subarray(at, at + 4), crc);
  const fileCrc = r.u32();
  if (n !== count) return new CodecError('ERR_BITSTREAM_CORRUPT', `the trailer counts ${n} sections, the file holds ${count}; the file is corrupt.`);
  if (running !== fileCrc) return new CodecError('ERR_CRC_MISMATCH', 'the file CRC does not match; the file is corrupt.');
  if (r.remaining !== 0) return new CodecError('ERR_BITSTREAM_CORRUPT', `${r.remaining} bytes follow the end of the container; the file is corrupt.`);
  return undefined;
}

/**
 * The first section to decode for frame `start`: the GOP holding it, from the GOP index (the last
 * section); when the index is damaged or cut off, from the GOP size of the header (the encoder starts a
 * GOP every `gop` frames), so frames before damage stay reachable.
 */
function seekSection(walk: Walked, start: number, header: ContainerHeader): number {
  const last = walk.sections.at(-1);
  const parsed = last && !last.damage ? parseSection(last.payload, `section ${last.number}`) : undefined;
  if (parsed?.kind === 'index') {
    const gop = [...parsed.gops].reverse().find((g) => g.firstFrame <= start);
    if (!gop) throw corrupt(`section ${last!.number}: the GOP index has no GOP at or before frame ${start}; the file is corrupt.`);
    return gop.section;
  }
  if (!last?.damage) throw corrupt('The GOP index (the last section) is missing, so decoding cannot seek; decode from the start instead.');
  const { gop, soundtrack } = decodeParams(header.params);
  return Math.min(last.number, (soundtrack === 'none' ? 0 : 1) + Math.floor(start / gop) * gop);
}

/** Checks a section that holds no frame: the soundtrack must be section 0, the GOP index the last section, counting the header's frames. */
function checkOtherSection(s: Walked['sections'][number], walk: Walked, frames: number, firstSection: number): void {
  const where = `section ${s.number}`;
  const parsed = parseSection(s.payload, where);
  if (parsed.kind === 'audio' || parsed.kind === 'audio-copy') {
    if (s.number !== 0 || firstSection !== 1) throw corrupt(`${where}: a soundtrack where the header promises ${firstSection ? 'it in section 0' : 'none'}; the file is corrupt.`);
  } else if (parsed.kind === 'index') {
    const next = walk.sections[s.number + 1];
    if (next && !next.damage) throw corrupt(`${where}: the GOP index is followed by section ${next.number}; the file is corrupt.`);
    if (frames > 0 && parsed.frames !== frames) throw corrupt(`${where}: the GOP index counts ${parsed.frames} frames, the header ${frames}; the file is corrupt.`);
  }
}

/** Where decoding stopped, for the error of a damaged section `number`: the frame it holds and the last frame decoded. */
function stoppedAt(number: number, firstSection: number, frames: number, last: number | undefined): string {
  const after = last === undefined ? '' : `, after frame ${last}`;
  if (number < firstSection) return `Decoding stopped at the soundtrack (section ${number}), before frame 0`;
  const frame = number - firstSection;
  if (frames === 0 || frame < frames) return `Decoding stopped at frame ${frame} (section ${number})${after}`;
  if (frame === frames) return `All ${frames} frames decoded, but the GOP index (section ${number}) is damaged`;
  return `All ${frames} frames decoded, but the file is damaged after its last section (section ${number - 1})`;
}

function isRawVideo(value: unknown): value is RawVideo {
  return typeof value === 'object' && value !== null && 'format' in value && 'frames' in value;
}

function checkFormat(format: VideoFormat): { width: number; height: number } {
  if (typeof format !== 'object' || format === null) throw invalidType('a video format', 'format', format);
  const width = checkInteger(format.width, 'format.width', 1, MAX_FRAME_SIDE);
  const height = checkInteger(format.height, 'format.height', 1, MAX_FRAME_SIDE);
  checkInteger(format.fps?.num, 'format.fps.num', 1, 2 ** 32 - 1);
  checkInteger(format.fps?.den, 'format.fps.den', 1, 2 ** 32 - 1);
  if (!['bt601', 'bt709'].includes(format.colour?.matrix) || !['limited', 'full'].includes(format.colour?.range)) {
    throw invalidType("a colour { matrix: 'bt601' | 'bt709', range: 'limited' | 'full' }", 'format.colour', format.colour);
  }
  return { width, height };
}

function checkInter(value: unknown): VideoInterMode {
  if (value === undefined) return DEFAULT_INTER;
  if (value !== 'motion' && value !== 'learned' && value !== 'delta') throw invalidType("'motion', 'learned' or 'delta'", 'options.inter', value);
  return value;
}

/** The latent P-frame mode of a stream that codes latent P-frames (motion streams never get here). */
function latentMode(mode: VideoInterMode): InterMode {
  if (mode === 'motion') throw corrupt('A motion-compensated stream holds a latent P-frame; the file is corrupt.');
  return mode;
}

function formatOf(media: VideoDescription): VideoFormat {
  return {
    width: media.width, height: media.height, fps: { num: media.fpsNum, den: media.fpsDen },
    colour: { matrix: media.matrix, range: media.range }, ...(media.frames > 0 ? { frameCount: media.frames } : {}),
  };
}

/** Opens a video codec (the same as `openCodec('video', options)`, typed). */
export function openVideo(options: OpenOptions = {}): Promise<VideoCodec> {
  return VideoCodec.open(options);
}

export const video: CodecFactory = {
  id: ID,
  description: 'Learned low-delay video: hyperprior I-frames; P-frames by overlapped block motion compensation and the residual through the image model with a learned residual hyperprior (or, --inter learned, the latent coded conditionally on the two previous latents by an integer CNN) + rANS',
  media: ['video'],
  open: (options: OpenOptions) => VideoCodec.open(options),
};
