/**
 * The hyperprior's codec parameters in the container header (docs/FORMAT.md leaves them to the
 * codec), and the section layout they imply.
 *
 *   offset  size  field
 *   0       1     parameter layout version = 1
 *   1       4     tile size T (u32 LE): tiles are T×T pixels in raster order, the last row/column
 *                 smaller; a multiple of the model's downsampling factor, at most MAX_TILE_SIZE
 *
 * Sections: for each tile in raster order its z stream then its y stream (rANS, tables from the
 * manifest); then, when the image has alpha (2 or 4 channels), one adaptive-coded alpha stream.
 * The quality level is the container's rate setting (kind quality).
 */
import { CodecError } from '../../src/errors.js';

export const PARAMS_VERSION = 1;
/** Largest tile side: bounds the memory a decoder commits to per tile (g_s activations). */
export const MAX_TILE_SIZE = 1024;
const PARAMS_LENGTH = 5;

export interface HyperpriorParams {
  tileSize: number;
}

export function encodeParams(params: HyperpriorParams): Uint8Array {
  const out = new Uint8Array(PARAMS_LENGTH);
  out[0] = PARAMS_VERSION;
  new DataView(out.buffer).setUint32(1, params.tileSize, true);
  return out;
}

/** Parses and checks the parameters against the model's downsampling factor. Throws ERR_BITSTREAM_CORRUPT / ERR_UNSUPPORTED_VERSION. */
export function decodeParams(bytes: Uint8Array, factor: number): HyperpriorParams {
  if (bytes.length >= 1 && bytes[0] !== PARAMS_VERSION) {
    throw new CodecError('ERR_UNSUPPORTED_VERSION', `Hyperprior parameter layout ${bytes[0]} is not supported (this library reads ${PARAMS_VERSION}); upgrade neural-codec to read it.`);
  }
  if (bytes.length !== PARAMS_LENGTH) {
    throw new CodecError('ERR_BITSTREAM_CORRUPT', `The hyperprior parameters have ${bytes.length} bytes (expected ${PARAMS_LENGTH}): the header is corrupt.`);
  }
  const tileSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1, true);
  if (tileSize < factor || tileSize > MAX_TILE_SIZE || tileSize % factor !== 0) {
    throw new CodecError('ERR_BITSTREAM_CORRUPT', `The tile size ${tileSize} is not a multiple of ${factor} up to ${MAX_TILE_SIZE}: the header is corrupt.`);
  }
  return { tileSize };
}
