/**
 * libopus 1.4 in WebAssembly: the `opusscript` package's compiled module, called directly.
 *
 * Why not `opusscript`'s own `OpusScript` class: its wrapper (0.1.1) takes its PCM buffers as
 * `HEAPU16.subarray(pointer, …)`, treating a byte address as an element index, so it writes and
 * reads PCM at twice the address it allocated: outside its allocations. One coder in a process gets
 * away with it; two alive at once (e.g. `opuspf` and `opuspf:core` in one bench) overwrite each
 * other's heap and the module dies with "memory access out of bounds". The compiled functions
 * themselves are sound; their contract, measured (tests/codecs/opuspf/libopus.test.ts checks the
 * packets against libopus' expected sizes and a round trip):
 *
 * - `_encode(pcmAddress, pcmBytes, packetAddress, frameSize)` reads the PCM as `pcmBytes` 16-bit
 *   words, one little-endian byte of the int16 samples per word, at byte address `pcmAddress`, and
 *   writes the packet (≤ {@link MAX_PACKET_BYTES} bytes) at `packetAddress`; returns its length or
 *   a negative libopus error.
 * - `_decode(packetAddress, packetBytes, pcmAddress)` writes 2 × samples 16-bit words (one byte
 *   of the int16 samples each) at `pcmAddress` and returns the sample count or an error.
 *
 * Here every buffer is this module's own allocation, sized for those word layouts, and the heap
 * views are taken afresh on each call (the WebAssembly memory may grow between calls).
 */
import { createRequire } from 'node:module';

/** libopus' largest packet (bytes). */
export const MAX_PACKET_BYTES = 1275 * 3;
/** The longest a packet decodes to at 48 kHz (120 ms), in samples. */
const MAX_DECODED_SAMPLES = 5760;

interface Handler {
  _encode(pcm: number, bytes: number, packet: number, frameSize: number): number;
  _decode(packet: number, bytes: number, pcm: number): number;
  _encoder_ctl(ctl: number, value: number): number;
}
interface HandlerClass {
  new (rate: number, channels: number, application: number): Handler;
  destroy_handler(h: Handler): void;
}
interface Module {
  OpusScriptHandler: HandlerClass;
  _malloc(bytes: number): number;
  _free(address: number): void;
  HEAPU8: Uint8Array;
  HEAPU16: Uint16Array;
}

let cached: Module | null = null;

/** The compiled libopus module (compiled and instantiated once per process, ≈ 0.4 s). */
function opusModule(): Module {
  if (!cached) {
    const load = createRequire(import.meta.url)('opusscript/build/opusscript_native_wasm.js') as () => Module;
    cached = load();
  }
  return cached;
}

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

/**
 * One libopus encoder + decoder state (mono) with its buffers in the WebAssembly heap. Call
 * {@link LibOpus.dispose} to free them.
 */
export class LibOpus {
  /** Instantiates the WebAssembly module now rather than in the first coder. */
  static warm(): void {
    opusModule();
  }

  private readonly mod = opusModule();
  private handler: Handler | null;
  private readonly pcmAddress: number;
  private readonly pcmWords: number;
  private readonly packetAddress: number;

  /** `application`: libopus' OPUS_APPLICATION_* value (2049 = audio). */
  constructor(rate: number, application: number) {
    this.handler = new this.mod.OpusScriptHandler(rate, 1, application);
    // PCM words: one per byte of int16 samples, for the longest frame decoding can produce
    this.pcmWords = MAX_DECODED_SAMPLES * 2;
    this.pcmAddress = this.mod._malloc(this.pcmWords * 2);
    this.packetAddress = this.mod._malloc(MAX_PACKET_BYTES + 1);
    if (!this.pcmAddress || !this.packetAddress) throw new LibOpusError('allocation', -7);
  }

  /** Sets an encoder control (OPUS_SET_*). */
  encoderCtl(ctl: number, value: number): void {
    const code = this.live()._encoder_ctl(ctl, value);
    if (code < 0) throw new LibOpusError(`encoder control ${ctl}`, code);
  }

  /** Encodes `frameSize` int16 samples (`frameSize` ≤ 5,760) into one packet. */
  encode(samples: Int16Array, frameSize: number): Uint8Array {
    const h = this.live();
    if (samples.length !== frameSize || frameSize > MAX_DECODED_SAMPLES) {
      throw new RangeError(`libopus encode: ${samples.length} samples for a frame of ${frameSize} (at most ${MAX_DECODED_SAMPLES})`);
    }
    const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    const words = this.mod.HEAPU16;
    const base = this.pcmAddress >> 1;
    for (let i = 0; i < bytes.length; i++) words[base + i] = bytes[i]!;
    const len = h._encode(this.pcmAddress, bytes.length, this.packetAddress, frameSize);
    if (len < 0) throw new LibOpusError('encode', len);
    return this.mod.HEAPU8.slice(this.packetAddress, this.packetAddress + len);
  }

  /** Decodes one packet into int16 samples. */
  decode(packet: Uint8Array): Int16Array {
    const h = this.live();
    if (packet.length === 0 || packet.length > MAX_PACKET_BYTES) {
      throw new LibOpusError('decode', -4);
    }
    this.mod.HEAPU8.set(packet, this.packetAddress);
    const n = h._decode(this.packetAddress, packet.length, this.pcmAddress);
    if (n < 0) throw new LibOpusError('decode', n);
    if (n > MAX_DECODED_SAMPLES) throw new LibOpusError('decode', -3);
    const words = this.mod.HEAPU16;
    const base = this.pcmAddress >> 1;
    const bytes = new Uint8Array(n * 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = words[base + i]!;
    return new Int16Array(bytes.buffer);
  }

  /** Frees the coder state and its buffers (idempotent). */
  dispose(): void {
    if (!this.handler) return;
    this.mod.OpusScriptHandler.destroy_handler(this.handler);
    this.mod._free(this.pcmAddress);
    this.mod._free(this.packetAddress);
    this.handler = null;
  }

  private live(): Handler {
    if (!this.handler) throw new Error('this libopus coder has been disposed');
    return this.handler;
  }
}
