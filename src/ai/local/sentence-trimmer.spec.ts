import { describe, it, expect } from 'vitest';
import { SentenceTrimmer } from './sentence-trimmer';

describe('SentenceTrimmer', () => {
  const trimmer = new SentenceTrimmer();
  const trim = (s: string) => trimmer.trim(s, 'en');

  it('drops a news dateline', () => {
    expect(
      trim('LONDON, England (CNN) -- The harbour council approved the new ferry terminal on Monday.'),
    ).toBe('The harbour council approved the new ferry terminal on Monday.');
  });

  it('drops short parentheticals and asides between dashes', () => {
    expect(trim('The Harbour Party (HP) kept its majority in the council for a third term.')).toBe(
      'The Harbour Party kept its majority in the council for a third term.',
    );
    expect(trim('The island -- one of the smallest in the group -- has a busy ferry port.')).toBe(
      'The island has a busy ferry port.',
    );
  });

  it('keeps a clause closed when the aside ended it', () => {
    expect(trim('While the post is ceremonial -- like a mayor -- the new chair wants more powers.')).toBe(
      'While the post is ceremonial, the new chair wants more powers.',
    );
  });

  it('drops trailing attributions and elaborations after a dash', () => {
    expect(trim('Ferry fares will rise by a tenth next spring, the council said on Monday.')).toBe(
      'Ferry fares will rise by a tenth next spring.',
    );
    expect(trim('Ferry crossings doubled over ten years, according to the harbour authority.')).toBe(
      'Ferry crossings doubled over ten years.',
    );
    expect(trim('Fifty ferries cross the strait every day -- enough to carry the whole town twice.')).toBe(
      'Fifty ferries cross the strait every day.',
    );
  });

  it('keeps attributions of quotes, which would leave a bare quote', () => {
    const s = '"We will not raise the fares again this year," the harbour master said.';
    expect(trim(s)).toBe(s);
  });

  it('drops an opening connective and capitalises', () => {
    expect(trim('But the new terminal will not open before the summer season ends.')).toBe(
      'The new terminal will not open before the summer season ends.',
    );
  });

  it('never cuts a sentence down to a stub, and leaves other languages alone', () => {
    expect(trim('Fares rose, he said.')).toBe('Fares rose, he said.');
    const es = 'El consejo aprobó la terminal (nueva) del puerto, dijo el alcalde.';
    expect(trimmer.trim(es, 'es')).toBe(es);
  });
});
