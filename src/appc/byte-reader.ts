// Pulls exact byte counts out of a stream of chunks of any size, without copying more
// than the caller asks for.

export class ByteReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private ended = false;
  private readonly iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  }

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) this.ended = true;
      else if (next.value.length) {
        this.chunks.push(next.value);
        this.buffered += next.value.length;
      }
    }
  }

  /** Takes up to `n` bytes from the buffer (at least one chunk's worth is buffered). */
  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length <= n) {
      this.chunks.shift();
      this.buffered -= first.length;
      return first;
    }
    this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return first.subarray(0, n);
  }

  /** Exactly `n` bytes; null at a clean end of stream; throws on a short read. */
  async readExact(n: number): Promise<Uint8Array | null> {
    await this.fill(n);
    if (this.buffered === 0 && this.ended) return null;
    if (this.buffered < n) throw new Error("unexpected end of archive");
    if (this.chunks[0]!.length >= n) return this.take(n);
    const out = new Uint8Array(n);
    for (let at = 0; at < n; ) {
      const part = this.take(n - at);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** The next `n` bytes as chunks; throws if the stream ends first. */
  async *chunksOf(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      await this.fill(1);
      if (this.buffered === 0) throw new Error("unexpected end of archive");
      const part = this.take(left);
      left -= part.length;
      yield part;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.chunksOf(n));
  }

  /** Stops the underlying source (e.g. a decompressor) when the caller is done early. */
  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}
