/**
 * Exact-size reads over a stream of chunks (a file stream, ffmpeg's stdout), for the frame readers of
 * src/media/video.ts: whole frames and y4m header lines, whatever the chunking.
 */

/**
 * Reads of exact sizes and of lines over an async stream of chunks, copying each read into an array
 * of its own. It pulls a chunk only when a read needs one, so the stream's backpressure holds.
 */
export class ChunkReader {
  private chunks: Uint8Array[] = [];
  private offset = 0; // into chunks[0]
  private buffered = 0;
  private ended = false;
  private readonly source: AsyncIterator<Uint8Array>;

  constructor(stream: AsyncIterable<Uint8Array>, private readonly onError: (err: unknown) => Error) {
    this.source = stream[Symbol.asyncIterator]();
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    let next: IteratorResult<Uint8Array>;
    try {
      next = await this.source.next();
    } catch (err) {
      throw this.onError(err);
    }
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.chunks.push(next.value);
    this.buffered += next.value.length;
    return true;
  }

  private async fill(n: number): Promise<number> {
    while (this.buffered < n && (await this.pull()));
    return Math.min(n, this.buffered);
  }

  /** Moves `n` buffered bytes into `out` (or drops them when out is null). */
  private consume(n: number, out: Uint8Array | null): void {
    let done = 0;
    while (done < n) {
      const chunk = this.chunks[0]!;
      const take = Math.min(n - done, chunk.length - this.offset);
      out?.set(chunk.subarray(this.offset, this.offset + take), done);
      done += take;
      this.offset += take;
      if (this.offset === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    this.buffered -= n;
  }

  /** Up to `n` bytes: fewer only at the end of the stream. */
  async read(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(await this.fill(n));
    this.consume(out.length, out);
    return out;
  }

  /** Skips up to `n` bytes; returns how many were skipped. */
  async skip(n: number): Promise<number> {
    const got = await this.fill(n);
    this.consume(got, null);
    return got;
  }

  /**
   * The next line (latin-1, without its '\n'); null at the end of the stream; `complete` false when
   * the stream ends inside it or it runs past `max` bytes.
   */
  async readLine(max: number): Promise<{ line: string; complete: boolean } | null> {
    for (;;) {
      const peek = new Uint8Array(Math.min(this.buffered, max));
      let at = 0;
      for (let i = 0; i < this.chunks.length && at < peek.length; i++) {
        const chunk = this.chunks[i]!.subarray(i === 0 ? this.offset : 0);
        const take = Math.min(chunk.length, peek.length - at);
        peek.set(chunk.subarray(0, take), at);
        at += take;
      }
      const end = peek.indexOf(0x0a);
      if (end >= 0) {
        this.consume(end + 1, null);
        return { line: Buffer.from(peek.subarray(0, end)).toString('latin1'), complete: true };
      }
      if (this.buffered < max && (await this.pull())) continue;
      return this.buffered === 0 ? null : { line: Buffer.from(peek).toString('latin1'), complete: false };
    }
  }
}
