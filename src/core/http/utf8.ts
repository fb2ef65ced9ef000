import { isUtf8 } from 'node:buffer';

/**
 * Offset of the first byte that is not part of a valid UTF-8 sequence, or -1 when the bytes are valid UTF-8.
 * `isUtf8` (SIMD) answers the common case; the scan for the offset runs only for invalid input, to tell the client
 * where. Hand-written: Node's decoders either replace bad bytes silently or fail without saying where.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1;
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i];
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead <= 0xdf
          ? 2
          : lead >= 0xe0 && lead <= 0xef
            ? 3
            : lead >= 0xf0 && lead <= 0xf4
              ? 4
              : 0;
    if (length === 0 || i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      // Continuation bytes are 10xxxxxx; the second byte's range also rules out overlong forms and surrogates.
      const low = k === 1 && lead === 0xe0 ? 0xa0 : k === 1 && lead === 0xf0 ? 0x90 : 0x80;
      const high = k === 1 && lead === 0xed ? 0x9f : k === 1 && lead === 0xf4 ? 0x8f : 0xbf;
      if (next < low || next > high) return i;
    }
    i += length;
  }
  return -1;
}
