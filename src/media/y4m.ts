/**
 * The YUV4MPEG2 (y4m) stream header: `YUV4MPEG2` then space-separated tags — W width, H height,
 * F rate `num:den`, I interlacing, A pixel aspect, C colour space (`420jpeg`, `420mpeg2`, `420paldv`,
 * `mono`, `444`, ...), X extensions — ended by '\n'; each frame is `FRAME[ tags]\n` and its planes.
 * Reference: the mjpegtools yuv4mpeg(5) page and ffmpeg's libavformat/yuv4mpegdec.c.
 *
 * Colour: range from `XCOLORRANGE=LIMITED|FULL` (what ffmpeg reads and writes); matrix from
 * `XCOLORMATRIX=BT601|BT709`, a tag of this library (other readers ignore X tags they do not know).
 * Without them: {@link defaultColour}.
 */
import { CodecError } from '../errors.js';
import type { VideoColour, VideoFormat } from './types.js';
import { defaultColour } from './yuv.js';

export const Y4M_MAGIC = 'YUV4MPEG2';
/** The longest header line read before calling the file corrupt. */
export const Y4M_MAX_LINE = 4096;

export interface Y4mHeader {
  width: number;
  height: number;
  fps: { num: number; den: number };
  colour: VideoColour;
  /** The C tag (`420jpeg` when absent, as the format defines). */
  chroma: string;
  /** True for the 8-bit 4:2:0 and mono layouts read here; others go through ffmpeg. */
  direct: boolean;
  /** True for `mono`: luma only, chroma taken as 128. */
  mono: boolean;
}

const DIRECT = new Set(['420jpeg', '420mpeg2', '420paldv', '420', 'mono']);

function corrupt(name: string, what: string): CodecError {
  return new CodecError('ERR_MEDIA_READ', `${name} is not a valid y4m file: ${what}.`);
}

function positive(value: string, tag: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw corrupt(name, `its ${tag} tag '${value}' is not a positive integer`);
  return n;
}

/** Parses a header line (without its '\n'); `name` is the file, for messages. */
export function parseY4mHeader(line: string, name: string): Y4mHeader {
  const tags = line.split(' ').filter((t) => t.length > 0);
  if (tags[0] !== Y4M_MAGIC) throw corrupt(name, `it does not start with ${Y4M_MAGIC}`);
  let width = 0;
  let height = 0;
  let fps = { num: 25, den: 1 }; // ffmpeg's default when F is absent
  let chroma = '420jpeg';
  let range: VideoColour['range'] | undefined;
  let matrix: VideoColour['matrix'] | undefined;
  for (const tag of tags.slice(1)) {
    const value = tag.slice(1);
    switch (tag[0]) {
      case 'W': width = positive(value, 'W', name); break;
      case 'H': height = positive(value, 'H', name); break;
      case 'F': {
        const [num, den] = value.split(':');
        fps = { num: positive(num ?? '', 'F', name), den: positive(den ?? '', 'F', name) };
        break;
      }
      case 'C': chroma = value; break;
      case 'X': {
        const [key, setting] = value.split('=');
        if (key === 'COLORRANGE') range = setting === 'FULL' ? 'full' : setting === 'LIMITED' ? 'limited' : range;
        if (key === 'COLORMATRIX') matrix = setting === 'BT709' ? 'bt709' : setting === 'BT601' ? 'bt601' : matrix;
        break;
      }
      default: break; // I (interlacing), A (aspect) and unknown tags do not change the samples
    }
  }
  if (width === 0 || height === 0) throw corrupt(name, 'its header has no W (width) or H (height) tag');
  const fallback = defaultColour(height);
  return {
    width, height, fps, chroma,
    colour: { matrix: matrix ?? fallback.matrix, range: range ?? fallback.range },
    direct: DIRECT.has(chroma),
    mono: chroma === 'mono',
  };
}

/**
 * The header line (with '\n') this library writes: W, H, F, `C420jpeg` (centre-sited 4:2:0), and the
 * colour tags only where the colour is not what a reader assumes ({@link defaultColour}). It stays
 * under 80 bytes — ffmpeg before 5.0 (the npm build among them) refuses longer header lines — so the
 * optional I and A tags are left out (readers take progressive, square pixels).
 */
export function formatY4mHeader(format: VideoFormat): string {
  const { width, height, fps, colour } = format;
  const tags = [Y4M_MAGIC, `W${width}`, `H${height}`, `F${fps.num}:${fps.den}`, 'C420jpeg'];
  if (colour.range !== 'limited') tags.push(`XCOLORRANGE=${colour.range.toUpperCase()}`);
  if (colour.matrix !== defaultColour(height).matrix) tags.push(`XCOLORMATRIX=${colour.matrix.toUpperCase()}`);
  return `${tags.join(' ')}\n`;
}

/** True when a frame header line (without '\n') is one: `FRAME` alone or followed by tags. */
export function isFrameHeader(line: string): boolean {
  return line === 'FRAME' || line.startsWith('FRAME ');
}
