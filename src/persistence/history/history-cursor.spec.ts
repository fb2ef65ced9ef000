import { describe, expect, it } from 'vitest';
import { HistoryCursorCodec, InvalidCursorError } from './history-cursor';

const position = {
  createdAt: new Date('2026-03-01T10:00:00.123Z'),
  id: '0b7e6c2e-8a5d-4a52-9a51-2f0f5f1f4e11',
};

describe('HistoryCursorCodec', () => {
  const codec = new HistoryCursorCodec('secret-a');

  it('round-trips a position for the same filters', () => {
    const filters = { status: 'failed' as const, since: new Date('2026-01-01Z') };
    expect(codec.decode(codec.encode(position, filters), filters)).toEqual(position);
  });

  it('refuses a cursor signed with another key', () => {
    const foreign = new HistoryCursorCodec('secret-b').encode(position, {});
    expect(() => codec.decode(foreign, {})).toThrow(InvalidCursorError);
  });

  it('refuses an edited payload and a cursor reused with other filters', () => {
    const cursor = codec.encode(position, {});
    const [body, signature] = cursor.split('.');
    const edited = Buffer.from(body, 'base64url').toString().replace('"t":', '"t":1');
    expect(() => codec.decode(`${Buffer.from(edited).toString('base64url')}.${signature}`, {})).toThrow(
      /signature/,
    );
    expect(() => codec.decode(cursor, { inputType: 'url' })).toThrow(/other filters/);
  });

  it.each(['', 'x', 'a.b.c', '.', 'abc.'])('refuses the malformed cursor %j', (cursor) => {
    expect(() => codec.decode(cursor, {})).toThrow(InvalidCursorError);
  });
});
