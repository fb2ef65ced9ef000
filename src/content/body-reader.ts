import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  type Inflate,
  type InflateRaw,
} from 'node:zlib';
import { ContentFetchError } from './content-errors';

// How many Content-Encoding layers we undo; real servers use one, more is a decompression-bomb tactic.
const MAX_ENCODING_LAYERS = 2;
const DECODER_INPUT_PIECE = 1024;

/** The body went past the byte limit; the caller turns it into its own "too large" error. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/**
 * Reads a response body, undoing Content-Encoding, and stops as soon as wire or decoded bytes pass `maxBytes`: wire
 * and decoded bytes are counted separately (a 10 kB gzip bomb stops at `maxBytes` decoded bytes, decoded chunk by
 * chunk, never buffered whole), and encodings we did not ask for are refused.
 *
 * @throws BodyTooLargeError past the limit; ContentFetchError for encodings we refuse
 */
export async function readBody(
  body: Readable,
  contentEncoding: string | undefined,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  if (encodings.length > MAX_ENCODING_LAYERS) {
    abandon(body);
    throw new ContentFetchError(
      `The page uses too many content encodings (${contentEncoding}).`,
      'network',
      false,
    );
  }
  // Content-Encoding lists encodings in the order they were applied; undo them last first.
  const decoders = encodings.reverse().map((encoding) => decoderFor(encoding));
  if (decoders.some((d) => d === undefined)) {
    abandon(body);
    throw new ContentFetchError(
      `The page uses an unsupported content encoding (${contentEncoding}).`,
      'network',
      false,
    );
  }
  let wireBytes = 0;
  const countWire = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      wireBytes += chunk.length;
      if (wireBytes > maxBytes) throw new BodyTooLargeError();
      // zlib inflates a whole input chunk before the consumer below can count the output; feeding it small
      // pieces caps what one piece can expand to (~1 MB for 1 kB of a gzip bomb) before we stop.
      const piece = decoders.length === 0 ? chunk.length : DECODER_INPUT_PIECE;
      for (let offset = 0; offset < chunk.length; offset += piece) {
        yield chunk.subarray(offset, offset + piece);
      }
    }
  };
  const chunks: Buffer[] = [];
  let decodedBytes = 0;
  const collect = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      decodedBytes += chunk.length;
      if (decodedBytes > maxBytes) throw new BodyTooLargeError();
      chunks.push(chunk);
    }
  };
  // pipeline() destroys every stage on the first error, so a refused body also closes the socket.
  const stages = [body, countWire, ...(decoders as DecoderStage[]).map((make) => make()), collect];
  // The typings cannot express a variable number of middle stages; the runtime takes streams and generators.
  await (pipeline as unknown as (stages: unknown[], options: { signal: AbortSignal }) => Promise<void>)(
    stages,
    {
      signal,
    },
  );
  return Buffer.concat(chunks, decodedBytes);
}

/** Closes a body we will not read; undici reports that as an error event, which nobody needs to hear. */
export function abandon(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

type DecoderStage = () => Transform;

function decoderFor(encoding: string): DecoderStage | undefined {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return () => createGunzip();
    case 'br':
      return () => createBrotliDecompress();
    case 'deflate':
      return () => new AutoInflate();
    default:
      return undefined;
  }
}

/**
 * HTTP "deflate" is meant to be zlib-wrapped (RFC 9110), but some servers send raw deflate; browsers accept both,
 * so we look at the first two bytes (a zlib header is CMF=x8 with (CMF*256+FLG) % 31 == 0) and pick the inflater.
 */
class AutoInflate extends Transform {
  private inner: Inflate | InflateRaw | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.inner === undefined) {
      const zlibWrapped =
        chunk.length >= 2 && (chunk[0] & 0x0f) === 8 && ((chunk[0] << 8) | chunk[1]) % 31 === 0;
      const inner = zlibWrapped ? createInflate() : createInflateRaw();
      inner.on('data', (data: Buffer) => this.push(data));
      inner.on('error', (error) => this.destroy(error));
      this.inner = inner;
    }
    this.inner.write(chunk, () => callback());
  }

  override _flush(callback: TransformCallback): void {
    if (this.inner === undefined) return callback();
    this.inner.once('end', () => callback());
    this.inner.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inner?.destroy();
    callback(error);
  }
}
