/**
 * The one error class of the library. Every failure a caller can act on carries a machine-readable
 * `code`; messages say what was wrong and, where there is one, how to fix it.
 */
export type CodecErrorCode =
  | 'ERR_BITSTREAM_CORRUPT'
  | 'ERR_BITSTREAM_TRUNCATED'
  | 'ERR_BAD_MAGIC'
  | 'ERR_UNSUPPORTED_VERSION'
  | 'ERR_CRC_MISMATCH'
  | 'ERR_UNKNOWN_CODEC'
  | 'ERR_MODEL_NOT_FOUND'
  | 'ERR_MODEL_MISMATCH'
  | 'ERR_MODEL_INVALID'
  | 'ERR_DEVICE_UNAVAILABLE'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_UNSUPPORTED_MEDIA'
  | 'ERR_MEDIA_READ'
  | 'ERR_MEDIA_WRITE'
  | 'ERR_FFMPEG_MISSING'
  | 'ERR_NATIVE_ADDON'
  | 'ERR_DISPOSED';

export class CodecError extends Error {
  readonly code: CodecErrorCode;

  constructor(code: CodecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodecError';
    this.code = code;
  }
}

/** True when `err` is a {@link CodecError}, optionally with the given code. */
export function isCodecError(err: unknown, code?: CodecErrorCode): err is CodecError {
  return err instanceof CodecError && (code === undefined || err.code === code);
}
