/**
 * The video codec's container layout (docs/FORMAT.md, "Video"): header parameters and the payloads of
 * its sections.
 *
 * Parameters: layout u8 (4; 3 has the same fields and no skipped blocks; 2 as 3 but predicts with plain
 * blocks and synthesises residuals from the whole padded latent; 1, written until the evening of
 * 2026-12-07, is refused) · GOP u32 · inter mode u8
 * (1 learned, 2 delta, 3 motion) · soundtrack u8 (0 none, 1 coded, 2 copied) · the motion residual's
 * chroma gain u8 (sixteenths, 1 … 255; 16 = none) · layout 4: chroma flag u8 (0 coded, 1 constant:
 * Cb u8 · Cr u8, the values of every frame's chroma planes).
 *
 * Sections, in order: the soundtrack (if any), one section per frame in display order, the GOP index.
 *
 *   frame:   kind u8 (1 = I, 2 = P, 6 = motion-compensated P) · frame number varint ·
 *            I: z length varint · z stream · y stream | P: y stream |
 *            motion P: residual quality u8 (a rate level of the image model) · motion length varint ·
 *            motion stream (motion.ts) · z length varint · z stream (masked-z.ts) · y stream
 *            (varint: unsigned LEB128, 7 bits a byte, low first)
 *   audio:   kind u8 (3 = coded: a whole neural-codec audio container | 4 = copied: format (u8 length +
 *            ASCII, an ffmpeg muxer name) · the original compressed stream)
 *   index:   kind u8 (5) · frames u32 · GOPs u32 · per GOP: first frame u32, section number u32
 */
import { ByteReader, ByteWriter } from '../../src/container/bytes.js';
import { CodecError } from '../../src/errors.js';
import type { InterMode } from './inter-model.js';

/** How P-frames are coded: the inter network or static tables on the latent (inter-model.ts), or motion compensation and a coded residual (motion.ts). */
export type VideoInterMode = InterMode | 'motion';

export type Soundtrack = 'none' | 'coded' | 'copied';

export interface VideoParams {
  /**
   * 4: as 3, with skipped blocks (skip.ts: flags at the end of the motion stream; no residual under a
   * skipped block, none at all when every block is). 3: overlapped block motion compensation
   * (motion.ts, `compensateOverlapped`), motion residuals synthesised from the latent positions
   * covering the frame (plus one) by the video model's residual g_s when it has one, and a
   * reference's padding repeating its edge (frame-coder.ts, `synthesise`); 2 (written on 2026-12-07):
   * plain block compensation, residuals from the whole padded latent by the image model's g_s. All
   * three decode; the encoder writes 4.
   */
  layout: 2 | 3 | 4;
  gop: number;
  inter: VideoInterMode;
  soundtrack: Soundtrack;
  /** The motion residual's chroma gain in sixteenths (16 = none; frame-coder.ts); 1 … 255. */
  chromaGain16: number;
  /**
   * Layout 4: when every frame's Cb and Cr planes hold one value each (a monochrome video), those
   * values, which every decoded frame gets; null when the colour is coded.
   */
  constantChroma?: { u: number; v: number } | null;
}

/**
 * Layout 2 (2026-12-07): varint frame numbers and stream lengths, motion coded with binary contexts.
 * Layout 3 (late on 2026-12-07): the same bytes; overlapped compensation, residuals synthesised cropped.
 * Layout 4 (2026-12-08): skip flags after the vectors in the motion stream; y symbols of skipped blocks left out.
 */
const LAYOUTS: readonly number[] = [2, 3, 4];
const INTER_MODES: readonly VideoInterMode[] = ['learned', 'delta', 'motion'];
const SOUNDTRACKS: readonly Soundtrack[] = ['none', 'coded', 'copied'];

export const SECTION_I = 1;
export const SECTION_P = 2;
export const SECTION_AUDIO = 3;
export const SECTION_AUDIO_COPY = 4;
export const SECTION_INDEX = 5;
export const SECTION_MOTION = 6;

function corrupt(message: string): CodecError {
  return new CodecError('ERR_BITSTREAM_CORRUPT', message);
}

export function encodeParams(p: VideoParams): Uint8Array {
  if (!LAYOUTS.includes(p.layout)) throw new RangeError(`video parameter layout ${p.layout} is not one this version writes`);
  const w = new ByteWriter().u8(p.layout).u32(p.gop).u8(INTER_MODES.indexOf(p.inter) + 1).u8(SOUNDTRACKS.indexOf(p.soundtrack)).u8(p.chromaGain16);
  if (p.layout >= 4) {
    const c = p.constantChroma;
    if (c) w.u8(1).u8(c.u).u8(c.v);
    else w.u8(0);
  }
  return w.finish();
}

export function decodeParams(bytes: Uint8Array): VideoParams {
  const r = new ByteReader(bytes);
  const layout = r.u8('the video parameter layout');
  if (layout === 1) {
    throw new CodecError('ERR_UNSUPPORTED_VERSION', 'This video was written by a development version of neural-codec (video layout 1, written until the evening of 2026-12-07) that no release decodes; encode the source again.');
  }
  if (layout !== 2 && layout !== 3 && layout !== 4) throw corrupt(`Unknown video parameter layout ${layout}: the header is corrupt or from a newer neural-codec.`);
  const gop = r.u32('the GOP size');
  const inter = INTER_MODES[r.u8('the inter mode') - 1];
  const soundtrack = SOUNDTRACKS[r.u8('the soundtrack kind')];
  const chromaGain16 = r.u8('the residual chroma gain');
  let constantChroma: VideoParams['constantChroma'] = null;
  if (layout >= 4) {
    const flag = r.u8('the chroma flag');
    if (flag > 1) throw corrupt(`The video parameters' chroma flag is ${flag}: the header is corrupt.`);
    if (flag === 1) constantChroma = { u: r.u8('the constant Cb'), v: r.u8('the constant Cr') };
  }
  if (gop < 1 || !inter || !soundtrack || chromaGain16 === 0 || r.remaining !== 0) throw corrupt('The video parameters are inconsistent: the header is corrupt.');
  return { layout, gop, inter, soundtrack, chromaGain16, constantChroma };
}

export type FramePayload =
  | { kind: 'I'; frame: number; z: Uint8Array; y: Uint8Array }
  | { kind: 'P'; frame: number; y: Uint8Array }
  | { kind: 'M'; frame: number; quality: number; motion: Uint8Array; z: Uint8Array; y: Uint8Array };

const SECTION_OF = { I: SECTION_I, P: SECTION_P, M: SECTION_MOTION } as const;

export function encodeFrame(f: FramePayload): Uint8Array {
  const w = new ByteWriter().u8(SECTION_OF[f.kind]).varint(f.frame);
  if (f.kind === 'M') w.u8(f.quality).varint(f.motion.length).bytes(f.motion);
  if (f.kind !== 'P') w.varint(f.z.length).bytes(f.z);
  return w.bytes(f.y).finish();
}

/** Is `kind` (a section's first byte) a frame? */
export function isFrameSection(kind: number | undefined): boolean {
  return kind === SECTION_I || kind === SECTION_P || kind === SECTION_MOTION;
}

export interface GopEntry {
  firstFrame: number;
  section: number;
}

export function encodeIndex(frames: number, gops: readonly GopEntry[]): Uint8Array {
  const w = new ByteWriter().u8(SECTION_INDEX).u32(frames).u32(gops.length);
  for (const g of gops) w.u32(g.firstFrame).u32(g.section);
  return w.finish();
}

export function encodeAudio(container: Uint8Array): Uint8Array {
  return new ByteWriter().u8(SECTION_AUDIO).bytes(container).finish();
}

export function encodeAudioCopy(format: string, bytes: Uint8Array): Uint8Array {
  return new ByteWriter().u8(SECTION_AUDIO_COPY).shortString(format).bytes(bytes).finish();
}

export type Section =
  | FramePayload
  | { kind: 'audio'; container: Uint8Array }
  | { kind: 'audio-copy'; format: string; bytes: Uint8Array }
  | { kind: 'index'; frames: number; gops: GopEntry[] };

/** Parses one section payload; throws ERR_BITSTREAM_CORRUPT naming `where` for anything inconsistent. */
export function parseSection(payload: Uint8Array, where: string): Section {
  const r = new ByteReader(payload);
  const kind = r.u8(where);
  if (isFrameSection(kind)) {
    const frame = r.varint(where);
    if (kind === SECTION_P) return { kind: 'P', frame, y: payload.subarray(r.offset) };
    const stream = (name: string): Uint8Array => {
      const length = r.varint(where);
      if (length > r.remaining) throw corrupt(`${where}: the ${name} stream claims ${length} bytes, ${r.remaining} are there; the file is corrupt.`);
      return r.bytes(length, where);
    };
    const quality = kind === SECTION_MOTION ? r.u8(where) : 0;
    const motion = kind === SECTION_MOTION ? stream('motion') : undefined;
    const z = stream('z');
    const y = payload.subarray(r.offset);
    return motion ? { kind: 'M', frame, quality, motion, z, y } : { kind: 'I', frame, z, y };
  }
  if (kind === SECTION_AUDIO) return { kind: 'audio', container: payload.subarray(1) };
  if (kind === SECTION_AUDIO_COPY) {
    const format = r.shortString(where);
    if (!/^[a-z0-9_]+$/.test(format)) throw corrupt(`${where}: the copied soundtrack names the format '${format}'; the file is corrupt.`);
    return { kind: 'audio-copy', format, bytes: payload.subarray(r.offset) };
  }
  if (kind === SECTION_INDEX) {
    const frames = r.u32(where);
    const count = r.u32(where);
    if (count > frames || count * 8 !== r.remaining) throw corrupt(`${where}: the GOP index is inconsistent; the file is corrupt.`);
    const gops: GopEntry[] = [];
    for (let i = 0; i < count; i++) gops.push({ firstFrame: r.u32(where), section: r.u32(where) });
    return { kind: 'index', frames, gops };
  }
  throw corrupt(`${where}: unknown section kind ${kind}; the file is corrupt.`);
}
