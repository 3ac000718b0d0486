/** Helpers of the stream tests: bytes fed in pieces of varying sizes, and a stream's output collected. */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** `bytes` as a stream of pieces of varying sizes (1 byte up to `most`). */
export function pieces(bytes: Uint8Array, most: number): Readable {
  let at = 0, k = 0;
  return new Readable({
    read() {
      if (at >= bytes.length) return void this.push(null);
      const n = 1 + ((k++ * 7919) % most);
      this.push(Buffer.from(bytes.subarray(at, at + n)));
      at += n;
    },
  });
}

/** Everything `transform` writes when `source` is piped through it. */
export async function collect(source: Readable, transform: NodeJS.ReadWriteStream): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  await pipeline(source, transform, new Writable({ write(chunk: Buffer, _e, done) { parts.push(chunk); done(); } }));
  return new Uint8Array(Buffer.concat(parts));
}
