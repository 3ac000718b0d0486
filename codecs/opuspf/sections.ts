/**
 * Section payloads of an opuspf file. Integers are unsigned LEB128 varints (7 bits per byte, low
 * first, high bit = more).
 *
 *   chunk section (one per chunk and channel, chunk-major: chunk 0 channel 0, chunk 0 channel 1, …):
 *     U                        Opus frames (60 ms units) of the chunk (≥ 1)
 *     (U + 1) × { len,         1 … 3825 bytes
 *                 len bytes }  one libopus packet: the chunk's U · 2880 samples and the encoder's
 *                              312-sample lookahead need packetCount(U · 2880) = U + 1 packets
 *
 *   end section (last, in streamed files only):
 *     0                        (a chunk has at least one frame, so 0 marks the end section)
 *     N                        frames per channel of the original signal (at its own rate)
 *
 * Readers check every length against the bytes left and that nothing follows the last packet.
 */
import { encodeEndSection, readEndSection, SectionReader, sectionCorrupt as corrupt, varintLength, writeVarint } from '../../src/api/section-payload.js';
import { MAX_PACKET_BYTES, packetCount, FRAME_SAMPLES } from './core.js';

export { encodeEndSection };

export type OpusPfSection =
  | { kind: 'chunk'; frames: number; packets: Uint8Array[] }
  | { kind: 'end'; frames: number };

/** Packets a chunk of `frames` Opus frames holds. */
export function packetsOfChunk(frames: number): number {
  return packetCount(frames * FRAME_SAMPLES);
}

/** The payload of a chunk section: U, then each packet with its length. */
export function encodeChunkSection(frames: number, packets: readonly Uint8Array[]): Uint8Array {
  if (packets.length !== packetsOfChunk(frames)) throw new RangeError(`A chunk of ${frames} Opus frames needs ${packetsOfChunk(frames)} packets, not ${packets.length}`);
  let size = varintLength(frames);
  for (const p of packets) size += varintLength(p.length) + p.length;
  const out = new Uint8Array(size);
  let at = writeVarint(out, 0, frames);
  for (const p of packets) {
    at = writeVarint(out, at, p.length);
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Parses a section (packets are views into `payload`, nothing decoded yet); `maxFrames` bounds a
 * chunk's frame count. Throws ERR_BITSTREAM_TRUNCATED / ERR_BITSTREAM_CORRUPT for a malformed payload.
 */
export function parseSection(payload: Uint8Array, maxFrames: number): OpusPfSection {
  const r = new SectionReader(payload, 'opuspf');
  const frames = r.varint('the frame count');
  if (frames === 0) return readEndSection(r, 'opuspf');
  if (frames > maxFrames) throw corrupt(`An opuspf chunk section has ${frames} Opus frames, more than the ${maxFrames} of a chunk`);
  const count = packetsOfChunk(frames);
  const packets: Uint8Array[] = [];
  for (let p = 0; p < count; p++) {
    const length = r.varint(`the length of packet ${p}`);
    if (length < 1 || length > MAX_PACKET_BYTES) throw corrupt(`Packet ${p} of an opuspf chunk has ${length} bytes (1 … ${MAX_PACKET_BYTES})`);
    packets.push(r.bytesOf(length, `packet ${p} of ${count}`));
  }
  if (r.remaining !== 0) throw corrupt(`An opuspf chunk section has ${r.remaining} bytes after its ${count} packets`);
  return { kind: 'chunk', frames, packets };
}
