/**
 * libopus 1.5.2 in the native addon (native/src/opus_coder.h over native/third_party/opus): one mono
 * encoder + decoder pair per {@link LibOpus}.
 *
 * The build is libopus' fixed-point one: its decoder computes in integers only, so a packet decodes
 * to the same samples on every machine, CPU family and thread count. Its encoder picks SSE4.1 / AVX2
 * kernels at run time on x86-64 (they compute what the C code computes). On this project's 2-core
 * CPU, inside opuspf at 6 kbps, it encodes ≈ 1.9× and decodes ≈ 2.2× as fast as the WebAssembly
 * libopus 1.4 (the `opusscript` package) it replaced; docs/MODELS.md has the measurements.
 *
 * The binding returns libopus' own results (a length, a sample count, or a negative OPUS_* error);
 * this module turns the errors into {@link LibOpusError}s that name them.
 */
import { callNative, loadNative, type NativeOpusCoder } from '../../src/native.js';

/** libopus' largest packet (bytes). */
export const MAX_PACKET_BYTES = 1275 * 3;
/** The longest a packet decodes to at 48 kHz (120 ms), in samples. */
const MAX_DECODED_SAMPLES = 5760;

/** libopus' error names, by code. */
const ERRORS: Record<number, string> = {
  [-1]: 'bad argument', [-2]: 'buffer too small', [-3]: 'internal error', [-4]: 'invalid packet',
  [-5]: 'unimplemented', [-6]: 'invalid state', [-7]: 'memory allocation failed',
};

/** The libopus error named by `code`. */
export class LibOpusError extends Error {
  constructor(readonly operation: string, readonly code: number) {
    super(`libopus ${operation} failed: ${ERRORS[code] ?? `error ${code}`}`);
    this.name = 'LibOpusError';
  }
}

/** One libopus encoder + decoder state (mono). Call {@link LibOpus.dispose} to free it. */
export class LibOpus {
  /** Loads the native addon now rather than in the first coder. */
  static warm(): void {
    loadNative();
  }

  private coder: NativeOpusCoder | null;
  private readonly packet = new Uint8Array(MAX_PACKET_BYTES);
  private readonly pcm = new Int16Array(MAX_DECODED_SAMPLES);

  /** `application`: libopus' OPUS_APPLICATION_* value (2049 = audio). */
  constructor(rate: number, application: number) {
    const { OpusCoder } = loadNative();
    this.coder = callNative(() => new OpusCoder(rate, application));
  }

  /** Sets an encoder control (OPUS_SET_* with one integer argument). */
  encoderCtl(ctl: number, value: number): void {
    const code = this.live().encoderCtl(ctl, value);
    if (code < 0) throw new LibOpusError(`encoder control ${ctl}`, code);
  }

  /** Encodes `frameSize` int16 samples (`frameSize` ≤ 5,760) into one packet. */
  encode(samples: Int16Array, frameSize: number): Uint8Array {
    const coder = this.live();
    if (samples.length !== frameSize || frameSize > MAX_DECODED_SAMPLES) {
      throw new RangeError(`libopus encode: ${samples.length} samples for a frame of ${frameSize} (at most ${MAX_DECODED_SAMPLES})`);
    }
    const len = coder.encode(samples, this.packet);
    if (len < 0) throw new LibOpusError('encode', len);
    return this.packet.slice(0, len);
  }

  /** Decodes one packet into int16 samples. */
  decode(packet: Uint8Array): Int16Array {
    const coder = this.live();
    const n = coder.decode(packet, this.pcm);
    if (n < 0) throw new LibOpusError('decode', n);
    return this.pcm.slice(0, n);
  }

  /** Frees the coder state (idempotent). */
  dispose(): void {
    this.coder?.dispose();
    this.coder = null;
  }

  private live(): NativeOpusCoder {
    if (!this.coder) throw new Error('this libopus coder has been disposed');
    return this.coder;
  }
}
