import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8Offset } from './utf8';

describe('firstInvalidUtf8Offset', () => {
  it('is -1 for valid UTF-8, including 2-, 3- and 4-byte characters', () => {
    expect(firstInvalidUtf8Offset(Buffer.from('plain, café, 東京, 😀', 'utf8'))).toBe(-1);
  });

  it.each([
    ['a lone continuation byte', [0x61, 0x80, 0x62], 1],
    ['a truncated sequence at the end', [0x61, 0x62, 0xe6, 0x9d], 2],
    ['an overlong encoding', [0x61, 0xc0, 0xaf], 1],
    ['an encoded surrogate (CESU-8)', [0x41, 0x42, 0xed, 0xa0, 0x80], 2],
    ['a byte that never occurs', [0xff], 0],
    ['a code point past U+10FFFF', [0x20, 0xf4, 0x90, 0x80, 0x80], 1],
  ])('finds %s', (_case, bytes, offset) => {
    expect(firstInvalidUtf8Offset(Uint8Array.from(bytes))).toBe(offset);
  });
});
