/**
 * Chunked processing of long signals, codec-agnostic: cut a signal into overlapping chunks that a
 * model can process one at a time (so memory stays flat however long the input), then join the
 * processed chunks back into one continuous signal with a cross-fade over each overlap (so the
 * chunk edges, where a convolutional network sees zero padding instead of signal, are not heard).
 *
 * The plan is fixed by two numbers, the chunk length L and the overlap O (stride S = L − O):
 *
 *   chunk i starts at i·S; chunk 0 always exists (for a non-empty signal); chunk i + 1 exists iff
 *   the signal is longer than chunk i's end i·S + L. Every chunk is L samples except the last,
 *   which ends with the signal (and, after the first, is always longer than O). O ≤ L / 2, so no
 *   sample lies in more than two chunks.
 *
 *   signal  ──────────────────────────────────────────────
 *   chunk 0 [──────── L ────────]
 *   chunk 1                 [─O─┼──────── L ────────]
 *   chunk 2                                     [─O─┼──── last ────]
 *
 * A streaming producer does not know the length in advance; the rule above only ever needs to know
 * whether more samples follow, so {@link ChunkSplitter} (streaming) and {@link planChunks} (whole
 * signal) produce the same chunks.
 *
 * Joining ({@link CrossFader}): inside each overlap, a fade of F ≤ O samples centred in the overlap
 * blends the end of chunk i into the start of chunk i + 1; before the fade only chunk i is used,
 * after it only chunk i + 1, so (O − F) / 2 samples at each chunk edge are discarded. Fade shapes:
 * `linear` and `hann` (raised cosine) weights sum to one, which keeps the amplitude of two
 * reconstructions of the same signal (what a codec's chunks are); `equal-power` (sine/cosine, squares
 * sum to one) keeps the power of two uncorrelated signals.
 *
 * The wavelet and RVQ audio codecs use this module with lengths in samples at their model rate, through
 * the streaming sessions they share (src/api/audio-sessions.ts).
 */
import { invalidRange, invalidType } from '../validate.js';

/** How a signal is cut into chunks. Lengths are in samples (per channel). */
export interface ChunkLayout {
  /** Samples per chunk (the last chunk may be shorter), ≥ 1. */
  chunkLength: number;
  /** Samples shared by consecutive chunks, 0 ≤ overlap ≤ chunkLength / 2 (no sample is in three chunks). */
  overlap: number;
}

/** Where one chunk lies in the signal. */
export interface ChunkSpan {
  index: number;
  /** First sample of the chunk in the signal. */
  start: number;
  /** Samples in the chunk: the layout's chunkLength except for the last chunk. */
  length: number;
}

/** A chunk's span and its samples, one array per channel (copies, owned by the receiver). */
export interface SignalChunk extends ChunkSpan {
  channels: Float32Array[];
}

/** Fade curves of {@link CrossFader}: see the module documentation. */
export type FadeShape = 'linear' | 'hann' | 'equal-power';

export const FADE_SHAPES: readonly FadeShape[] = ['linear', 'hann', 'equal-power'];

/** Checks a layout (integers, chunkLength ≥ 1, 0 ≤ overlap ≤ chunkLength / 2); returns it. */
export function checkChunkLayout(layout: ChunkLayout, name = 'layout'): ChunkLayout {
  if (typeof layout !== 'object' || layout === null) throw invalidType('a { chunkLength, overlap } object', name, layout);
  const { chunkLength, overlap } = layout;
  if (!Number.isSafeInteger(chunkLength) || chunkLength < 1) throw invalidRange('a positive integer', `${name}.chunkLength`, chunkLength);
  const most = Math.floor(chunkLength / 2);
  if (!Number.isSafeInteger(overlap) || overlap < 0 || overlap > most) {
    throw invalidRange(`an integer between 0 and ${most} (half the chunk length)`, `${name}.overlap`, overlap);
  }
  return layout;
}

/** Samples between the starts of consecutive chunks (chunkLength − overlap). */
export function chunkStride(layout: ChunkLayout): number {
  return layout.chunkLength - layout.overlap;
}

/** Number of chunks of a signal of `totalLength` samples: 0 when empty, else 1 + ⌈(N − L) / S⌉ (at least 1). */
export function chunkCount(totalLength: number, layout: ChunkLayout): number {
  checkChunkLayout(layout);
  if (!Number.isSafeInteger(totalLength) || totalLength < 0) throw invalidRange('a non-negative integer', 'totalLength', totalLength);
  if (totalLength === 0) return 0;
  return 1 + Math.max(0, Math.ceil((totalLength - layout.chunkLength) / chunkStride(layout)));
}

/** The span of chunk `index` of a signal of `totalLength` samples (index < chunkCount). */
export function chunkSpan(index: number, totalLength: number, layout: ChunkLayout): ChunkSpan {
  const count = chunkCount(totalLength, layout);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) throw invalidRange(`an integer between 0 and ${count - 1}`, 'index', index);
  const start = index * chunkStride(layout);
  return { index, start, length: Math.min(layout.chunkLength, totalLength - start) };
}

/** Every chunk of a signal of `totalLength` samples, in order. */
export function planChunks(totalLength: number, layout: ChunkLayout): ChunkSpan[] {
  return Array.from({ length: chunkCount(totalLength, layout) }, (_, i) => chunkSpan(i, totalLength, layout));
}

function checkChannels(channels: readonly Float32Array[], count: number, name: string): number {
  if (!Array.isArray(channels) || channels.length !== count) throw invalidRange(`an array of ${count} Float32Array channels`, name, channels);
  const frames = channels[0]!.length;
  channels.forEach((c, i) => {
    if (!(c instanceof Float32Array)) throw invalidType('a Float32Array', `${name}[${i}]`, c);
    if (c.length !== frames) throw invalidRange(`${frames} samples (as channel 0)`, `${name}[${i}].length`, c.length);
  });
  return frames;
}

/**
 * Cuts a signal that arrives in pieces into the chunks of {@link planChunks}, holding at most one
 * chunk plus the latest piece in memory. `push` returns the chunks a piece completed, `end` the
 * final (shorter) chunk, if the signal has one.
 */
export class ChunkSplitter {
  private buffers: Float32Array[];
  /** Absolute index of buffers[c][0]. */
  private bufferStart = 0;
  private length = 0;
  private nextIndex = 0;
  private pushed = 0;
  private ended = false;

  constructor(readonly layout: ChunkLayout, readonly channels: number) {
    checkChunkLayout(layout);
    if (!Number.isInteger(channels) || channels < 1) throw invalidRange('a positive integer', 'channels', channels);
    this.buffers = Array.from({ length: channels }, () => new Float32Array(Math.min(layout.chunkLength, 1 << 16)));
  }

  /** Samples per channel held (not yet handed out in a chunk, or kept as the next chunk's overlap). */
  get bufferedFrames(): number {
    return this.length;
  }

  /** Samples per channel pushed so far. */
  get totalFrames(): number {
    return this.pushed;
  }

  /** Appends one piece (one array per channel, equal lengths) and returns the chunks it completed. */
  push(channels: readonly Float32Array[]): SignalChunk[] {
    if (this.ended) throw new RangeError('ChunkSplitter.push() after end()');
    const frames = checkChannels(channels, this.channels, 'channels');
    this.reserve(frames);
    channels.forEach((c, i) => this.buffers[i]!.set(c, this.length));
    this.length += frames;
    this.pushed += frames;
    const out: SignalChunk[] = [];
    const { chunkLength } = this.layout;
    while (this.startOf(this.nextIndex) + chunkLength <= this.bufferStart + this.length) {
      out.push(this.take(chunkLength));
    }
    return out;
  }

  /** Ends the signal: returns its last chunk when the chunks handed out so far do not cover it. */
  end(): SignalChunk[] {
    if (this.ended) return [];
    this.ended = true;
    const covered = this.nextIndex === 0 ? 0 : this.startOf(this.nextIndex - 1) + this.layout.chunkLength;
    if (this.pushed <= covered) return [];
    return [this.take(this.pushed - this.startOf(this.nextIndex))];
  }

  private startOf(index: number): number {
    return index * chunkStride(this.layout);
  }

  /** Copies chunk `nextIndex` (of `length` samples) out and drops what no later chunk needs. */
  private take(length: number): SignalChunk {
    const start = this.startOf(this.nextIndex);
    const from = start - this.bufferStart;
    const chunk: SignalChunk = { index: this.nextIndex, start, length, channels: this.buffers.map((b) => b.slice(from, from + length)) };
    this.nextIndex++;
    const drop = Math.min(this.length, this.startOf(this.nextIndex) - this.bufferStart);
    for (const b of this.buffers) b.copyWithin(0, drop, this.length);
    this.bufferStart += drop;
    this.length -= drop;
    return chunk;
  }

  private reserve(frames: number): void {
    const need = this.length + frames;
    if (need <= this.buffers[0]!.length) return;
    const size = Math.max(need, 2 * this.buffers[0]!.length);
    this.buffers = this.buffers.map((b) => {
      const grown = new Float32Array(size);
      grown.set(b.subarray(0, this.length));
      return grown;
    });
  }
}

/** Fade-in weights w[j], j = 0 … length − 1, sampled at (j + ½) / length; the fade-out is w reversed. */
export function fadeInCurve(shape: FadeShape, length: number): Float32Array {
  if (!FADE_SHAPES.includes(shape)) throw invalidRange(`one of ${FADE_SHAPES.join(', ')}`, 'shape', shape);
  if (!Number.isSafeInteger(length) || length < 0) throw invalidRange('a non-negative integer', 'length', length);
  const w = new Float32Array(length);
  for (let j = 0; j < length; j++) {
    const t = (j + 0.5) / length;
    w[j] = shape === 'linear' ? t : shape === 'hann' ? Math.sin((Math.PI / 2) * t) ** 2 : Math.sin((Math.PI / 2) * t);
  }
  return w;
}

/** Options of {@link CrossFader}. */
export interface CrossFadeOptions {
  /** Samples shared by consecutive chunks (as in the {@link ChunkLayout} that cut them). */
  overlap: number;
  /** Length of the fade, centred in the overlap; 0 … overlap, default the whole overlap. */
  fadeLength?: number;
  /** Default `hann`. */
  shape?: FadeShape;
  /** Channels per chunk. */
  channels: number;
}

/**
 * Joins processed chunks that overlap by `overlap` samples (as cut by {@link ChunkSplitter} /
 * {@link planChunks}) into one continuous signal. Each `push` returns the samples that are final
 * (everything up to the start of the next overlap) and keeps the chunk's last `overlap` samples for
 * the next fade (fewer for a chunk shorter than twice the overlap, which can only be the last); `end`
 * returns them. Holds at most `overlap` samples per channel between calls.
 */
export class CrossFader {
  readonly overlap: number;
  readonly fadeLength: number;
  readonly shape: FadeShape;
  readonly channels: number;
  private readonly fadeIn: Float32Array;
  /** Start of the fade within the overlap. */
  private readonly fadeStart: number;
  private tail: Float32Array[] = [];
  private chunks = 0;
  private emitted = 0;
  private ended = false;

  constructor(options: CrossFadeOptions) {
    if (typeof options !== 'object' || options === null) throw invalidType('an options object', 'options', options);
    const { overlap, channels } = options;
    if (!Number.isSafeInteger(overlap) || overlap < 0) throw invalidRange('a non-negative integer', 'options.overlap', overlap);
    if (!Number.isInteger(channels) || channels < 1) throw invalidRange('a positive integer', 'options.channels', channels);
    const fadeLength = options.fadeLength ?? overlap;
    if (!Number.isSafeInteger(fadeLength) || fadeLength < 0 || fadeLength > overlap) {
      throw invalidRange(`an integer between 0 and ${overlap} (the overlap)`, 'options.fadeLength', fadeLength);
    }
    this.overlap = overlap;
    this.fadeLength = fadeLength;
    this.shape = options.shape ?? 'hann';
    this.channels = channels;
    this.fadeIn = fadeInCurve(this.shape, fadeLength);
    this.fadeStart = Math.floor((overlap - fadeLength) / 2);
  }

  /** Samples per channel held back for the next overlap. */
  get bufferedFrames(): number {
    return this.tail[0]?.length ?? 0;
  }

  /** Samples per channel returned so far. */
  get emittedFrames(): number {
    return this.emitted;
  }

  /**
   * Adds the next chunk (one array per channel). Every chunk after the first must be longer than the
   * overlap, and the one before it must have left a whole overlap (been at least twice the overlap,
   * or the first chunk and at least the overlap long), as {@link planChunks} guarantees; RangeError
   * otherwise. Returns the samples per channel that are now final.
   */
  push(chunk: readonly Float32Array[]): Float32Array[] {
    if (this.ended) throw new RangeError('CrossFader.push() after end()');
    const length = checkChannels(chunk, this.channels, 'chunk');
    const o = this.overlap;
    if (this.chunks > 0 && (this.bufferedFrames < o || length <= o)) {
      throw invalidRange(`chunks longer than the overlap (${o} samples) after the first`, 'chunk length', this.chunks > 0 && length <= o ? length : this.bufferedFrames);
    }
    const first = this.chunks === 0;
    this.chunks++;
    const keep = first ? Math.min(o, length) : Math.min(o, length - o);
    const out = chunk.map((samples, c) => {
      const body = samples.subarray(first ? 0 : o, length - keep);
      if (first) return body.slice();
      const joined = new Float32Array(o + body.length);
      this.blend(this.tail[c]!, samples, joined);
      joined.set(body, o);
      return joined;
    });
    this.tail = chunk.map((samples) => samples.slice(length - keep));
    this.emitted += out[0]!.length;
    return out;
  }

  /**
   * Ends the signal and returns the held-back samples. With `totalLength`, the output is cut so that
   * exactly that many samples per channel have been returned in all (RangeError if that would need
   * samples that were never pushed, or fewer than were already returned).
   */
  end(totalLength?: number): Float32Array[] {
    if (this.ended) throw new RangeError('CrossFader.end() called twice');
    this.ended = true;
    const held = this.bufferedFrames;
    const keep = totalLength === undefined ? held : totalLength - this.emitted;
    if (totalLength !== undefined && (!Number.isSafeInteger(totalLength) || keep < 0 || keep > held)) {
      throw invalidRange(`an integer between ${this.emitted} and ${this.emitted + held}`, 'totalLength', totalLength);
    }
    const out = this.chunks === 0 ? Array.from({ length: this.channels }, () => new Float32Array(0)) : this.tail.map((t) => t.slice(0, keep));
    this.tail = [];
    this.emitted += keep;
    return out;
  }

  /** out[0 … o) = the overlap: previous tail, then the fade, then the new chunk. */
  private blend(previous: Float32Array, next: Float32Array, out: Float32Array): void {
    const a = this.fadeStart;
    const f = this.fadeLength;
    const w = this.fadeIn;
    for (let j = 0; j < a; j++) out[j] = previous[j]!;
    for (let j = 0; j < f; j++) out[a + j] = previous[a + j]! * w[f - 1 - j]! + next[a + j]! * w[j]!;
    for (let j = a + f; j < this.overlap; j++) out[j] = next[j]!;
  }
}
