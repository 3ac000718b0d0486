/**
 * Which kinds of track a media file holds — video, audio — read from the container's own structure,
 * without ffmpeg, so that src/media/sniff.ts can tell a video from an audio-only file of the same
 * container (an .mp4 with a picture from an .m4a; a .webm from an Opus-in-WebM) in a few small reads.
 *
 * - ISO BMFF (mp4, mov, m4a, 3gp; ISO/IEC 14496-12): the `hdlr` box of each `moov/trak/mdia` has the
 *   handler type `vide` or `soun`. Boxes are walked by their sizes, so `moov` may be anywhere.
 * - Matroska / WebM (EBML; RFC 9559): each `Segment/Tracks/TrackEntry` has a TrackType, 1 video,
 *   2 audio. Cover art is an attachment there, and in mp4 part of the metadata, never a track.
 * - y4m: video. AVI: its `strh` stream headers (`vids`, `auds`). FLV: the header's flags byte.
 */

/** Reads up to `length` bytes at `offset` (fewer at the end of the file). */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

export interface Tracks {
  /** A short name of the container for messages: y4m, MP4, Matroska, WebM, AVI, FLV. */
  container: string;
  video: boolean;
  audio: boolean;
}

/** Stop walking after this many boxes or elements: a corrupt or hostile file cannot loop us for long. */
const MAX_NODES = 10_000;

const ascii = (bytes: Uint8Array, at: number, text: string): boolean =>
  bytes.length >= at + text.length && [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;

const BMFF_FIRST_BOXES = ['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot'];

/**
 * The tracks of a file whose first bytes are `head` (at least 16 when the file has them), or null when
 * it is none of the containers above.
 */
export async function tracksOf(head: Uint8Array, readAt: ReadAt, size: number): Promise<Tracks | null> {
  if (ascii(head, 0, 'YUV4MPEG2')) return { container: 'y4m', video: true, audio: false };
  if (ascii(head, 4, 'ftyp') || (BMFF_FIRST_BOXES.some((box) => ascii(head, 4, box)) && u32(head, 0) >= 8)) {
    return { container: 'MP4', ...(await bmffTracks(readAt, size)) };
  }
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return ebmlTracks(readAt, size);
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'AVI ')) {
    const hdrl = await readAt(0, 65_536);
    const kinds = new Set<string>();
    for (let at = hdrl.indexOf(0x73); at >= 0 && at + 12 <= hdrl.length; at = hdrl.indexOf(0x73, at + 1)) {
      if (ascii(hdrl, at, 'strh')) kinds.add(String.fromCharCode(...hdrl.subarray(at + 8, at + 12)));
    }
    return { container: 'AVI', video: kinds.has('vids') || kinds.size === 0, audio: kinds.has('auds') };
  }
  if (ascii(head, 0, 'FLV') && head.length > 4) return { container: 'FLV', video: (head[4]! & 1) !== 0, audio: (head[4]! & 4) !== 0 };
  return null;
}

async function bmffTracks(readAt: ReadAt, size: number): Promise<{ video: boolean; audio: boolean }> {
  const found = { video: false, audio: false };
  let nodes = 0;
  const walk = async (start: number, end: number): Promise<void> => {
    for (let at = start; at + 8 <= end && nodes++ < MAX_NODES;) {
      const header = await readAt(at, 16);
      if (header.length < 8) return;
      let boxSize = u32(header, 0);
      let headerSize = 8;
      if (boxSize === 1 && header.length >= 16) {
        boxSize = u32(header, 8) * 2 ** 32 + u32(header, 12);
        headerSize = 16;
      } else if (boxSize === 0) {
        boxSize = end - at;
      }
      if (boxSize < headerSize) return;
      const type = String.fromCharCode(...header.subarray(4, 8));
      if (type === 'moov' || type === 'trak' || type === 'mdia') {
        await walk(at + headerSize, Math.min(at + boxSize, end));
      } else if (type === 'hdlr') {
        const handler = await readAt(at + headerSize + 8, 4); // after version/flags and pre_defined
        if (ascii(handler, 0, 'vide')) found.video = true;
        if (ascii(handler, 0, 'soun')) found.audio = true;
      }
      at += boxSize;
    }
  };
  await walk(0, size);
  return found;
}

/** An EBML variable-length integer at `at`: its value (ids keep their marker bit) and length; null if malformed. */
function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === (0xff >> length);
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i]!;
    allOnes &&= bytes[at + i] === 0xff;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

const EBML_HEADER = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const TRACK_TYPE = 0x83;
const CLUSTER = 0x1f43b675;
const DOC_TYPE = 0x4282;

/** The children of an element's body `bytes`: [id, body] pairs (stops at the first malformed one). */
function* children(bytes: Uint8Array): Generator<[number, Uint8Array]> {
  for (let at = 0, n = 0; at < bytes.length && n < MAX_NODES; n++) {
    const id = vint(bytes, at, true);
    const size = id && vint(bytes, at + id.length, false);
    if (!id || !size || size.unknown) return;
    const start = at + id.length + size.length;
    yield [id.value, bytes.subarray(start, start + size.value)];
    at = start + size.value;
  }
}

async function ebmlTracks(readAt: ReadAt, fileSize: number): Promise<Tracks> {
  const tracks: Tracks = { container: 'Matroska', video: false, audio: false };
  let at = 0;
  for (let n = 0; at < fileSize && n < MAX_NODES; n++) {
    const header = await readAt(at, 12);
    const id = vint(header, 0, true);
    const size = id && vint(header, id.length, false);
    if (!id || !size) break;
    const body = at + id.length + size.length;
    if (id.value === EBML_HEADER) {
      for (const [child, value] of children(await readAt(body, Math.min(size.value, 4096)))) {
        if (child === DOC_TYPE && Buffer.from(value).toString('latin1') === 'webm') tracks.container = 'WebM';
      }
    } else if (id.value === SEGMENT) {
      at = body; // step into the segment (its size may be unknown)
      continue;
    } else if (id.value === TRACKS && !size.unknown) {
      for (const [child, entry] of children(await readAt(body, Math.min(size.value, 1 << 20)))) {
        if (child !== TRACK_ENTRY) continue;
        for (const [field, value] of children(entry)) {
          if (field !== TRACK_TYPE) continue;
          const type = value.reduce((acc, byte) => acc * 256 + byte, 0);
          if (type === 1) tracks.video = true;
          if (type === 2) tracks.audio = true;
        }
      }
      break;
    } else if (id.value === CLUSTER || size.unknown) {
      break; // Tracks come before the first cluster
    }
    at = body + size.value;
  }
  return tracks;
}
