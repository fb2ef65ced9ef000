import { describe, expect, it } from 'vitest';
import { detectCharset, decode } from './charset';

describe('detectCharset', () => {
  const ascii = (text: string) => Buffer.from(text, 'latin1');

  it('prefers a byte-order mark, then the header, then <meta>', () => {
    expect(detectCharset(Buffer.from([0xef, 0xbb, 0xbf, 0x41]), 'windows-1252', true)).toBe('utf-8');
    expect(detectCharset(Buffer.from([0xff, 0xfe, 0x41, 0]), undefined, true)).toBe('utf-16le');
    expect(detectCharset(ascii('<meta charset="shift_jis">'), 'iso-8859-2', true)).toBe('iso-8859-2');
    expect(detectCharset(ascii('<meta charset="shift_jis">'), undefined, true)).toBe('shift_jis');
  });

  it('reads <meta http-equiv> and attribute orders seen on real pages', () => {
    expect(
      detectCharset(
        ascii(`<meta content='text/html; charset=ISO-8859-1' http-equiv='Content-Type' />`),
        undefined,
        true,
      ),
    ).toBe('windows-1252');
    expect(detectCharset(ascii('<meta data-n-head="ssr" charset="koi8-r" />'), undefined, true)).toBe(
      'koi8-r',
    );
  });

  it('ignores <meta> in text/plain, unknown labels, and UTF-16 claimed in ASCII markup', () => {
    expect(detectCharset(ascii('<meta charset="koi8-r">'), undefined, false)).toBe('utf-8');
    expect(detectCharset(ascii('<meta charset="no-such-charset">'), 'bogus', true)).toBe('utf-8');
    expect(detectCharset(ascii('<meta charset="utf-16">'), undefined, true)).toBe('utf-8');
  });

  it('without a declaration: UTF-8 when the bytes are valid UTF-8, else windows-1252', () => {
    expect(detectCharset(Buffer.from('naïve café', 'utf8'), undefined, true)).toBe('utf-8');
    expect(detectCharset(Buffer.from([0x63, 0x61, 0x66, 0xe9]), undefined, true)).toBe('windows-1252');
  });
});

describe('decode', () => {
  it("maps windows-1252's 0x80–0x9F block to the characters browsers show", () => {
    expect(decode(Uint8Array.from([0x93, 0x80, 0x94, 0x99]), 'windows-1252')).toBe('“€”™');
  });
});
