/** Media types and encodings of fetched pages: what a page is, and how to turn its bytes into text. */

export type SupportedMediaType = 'text/html' | 'application/xhtml+xml' | 'text/plain';
export const SUPPORTED_MEDIA_TYPES: ReadonlySet<string> = new Set<SupportedMediaType>([
  'text/html',
  'application/xhtml+xml',
  'text/plain',
]);

// The HTML spec prescans 1024 bytes for <meta charset>; real pages sometimes put it later, after long <head> scripts.
const META_PRESCAN_BYTES = 4096;

/** `Content-Type` split into its media type (lowercase) and charset parameter. */
export function parseContentType(value: string | undefined): { mediaType?: string; charset?: string } {
  if (value === undefined || value.trim() === '') return {};
  const [type, ...parameters] = value.split(';');
  const mediaType = type.trim().toLowerCase();
  let charset: string | undefined;
  for (const parameter of parameters.slice(0, 16)) {
    const match = /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(parameter);
    if (match !== null) charset = match[1];
  }
  return { mediaType, charset };
}

/** HTML without a Content-Type: what a browser would sniff as HTML. */
export function sniffMediaType(bytes: Buffer): SupportedMediaType | undefined {
  const head = bytes.subarray(0, 1024).toString('latin1').trimStart().toLowerCase();
  return /^(\ufeff|\xef\xbb\xbf)?<(!doctype html|html|head|body|!--)/.test(head) ? 'text/html' : undefined;
}

/**
 * The encoding to decode with: a byte-order mark wins (as in browsers), then the Content-Type charset, then for HTML
 * a `<meta charset>` or `<meta http-equiv="Content-Type">` in the first bytes; with nothing declared, UTF-8 if the
 * bytes are valid UTF-8, else windows-1252 (the browsers' fallback for Western pages).
 */
export function detectCharset(bytes: Uint8Array, headerCharset: string | undefined, html: boolean): string {
  const bom = bomEncoding(bytes);
  if (bom !== undefined) return bom;
  const fromHeader = supportedEncoding(headerCharset);
  if (fromHeader !== undefined) return fromHeader;
  if (html) {
    const head = Buffer.from(
      bytes.buffer,
      bytes.byteOffset,
      Math.min(bytes.length, META_PRESCAN_BYTES),
    ).toString('latin1');
    const match = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9_.:-]+)/i.exec(head);
    const fromMeta = supportedEncoding(match?.[1]);
    // A page cannot be UTF-16 if we could read its <meta> as ASCII; the HTML spec says take UTF-8 then.
    if (fromMeta !== undefined) return fromMeta.startsWith('utf-16') ? 'utf-8' : fromMeta;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

function bomEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return undefined;
}

function supportedEncoding(label: string | undefined): string | undefined {
  if (label === undefined) return undefined;
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    // An unknown label: fall through to the next source, as browsers do.
    return undefined;
  }
}

/**
 * Decodes with the WHATWG decoder: it strips a BOM matching the encoding, and lone bad bytes become U+FFFD rather than
 * failing the page. (Node 24's `windows-1252` decoder maps 0x80–0x9F as the spec says; Node 20's did not.)
 */
export function decode(bytes: Uint8Array, charset: string): string {
  return new TextDecoder(charset).decode(bytes);
}
