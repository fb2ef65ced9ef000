import { describe, it, expect } from 'vitest';
import { LocalSummarizer } from './local-summarizer';

const summarizer = new LocalSummarizer();

function sentenceCount(summary: string): number {
  return summary.split(/(?<=[.!?])\s+/).filter(Boolean).length;
}

/** `sentences`: null when the text has abbreviations the naive count below would split at. */
function expectContract(result: { summary: string; tags: string[] }, sentences?: number | null) {
  expect(result.summary.trim().length).toBeGreaterThan(0);
  if (typeof sentences === 'number') expect(sentenceCount(result.summary)).toBe(sentences);
  else if (sentences === undefined) {
    expect(sentenceCount(result.summary)).toBeGreaterThanOrEqual(2);
    expect(sentenceCount(result.summary)).toBeLessThanOrEqual(3);
  }
  expect(result.summary).not.toMatch(/[#*`]|https?:/);
  expect(result.tags.length).toBeGreaterThanOrEqual(2);
  expect(result.tags.length).toBeLessThanOrEqual(4);
  expect(new Set(result.tags.map((t) => t.toLowerCase())).size).toBe(result.tags.length);
  for (const t of result.tags) expect(t.trim()).toBe(t);
  for (const t of result.tags) expect(t.length).toBeGreaterThan(0);
}

const ARTICLE = [
  'Icelandair will test two airships on routes to remote towns in Greenland next spring, the airline said on Monday.',
  'The helium airships can land without a runway and burn far less fuel than the small planes now used.',
  'Arctic transportation is expensive because towns are far apart and weather closes airstrips for weeks.',
  'Greenland officials said the trial could cut the cost of moving food and medicine to isolated villages.',
  'Critics point out that airships are slow and that strong winds could ground them as often as planes.',
  'Icelandair said it would publish the results of the trial at the end of the year.',
].join(' ');

describe('LocalSummarizer', () => {
  it('identifies itself as the local extractive method', () => {
    expect(summarizer.identity.provider).toBe('local');
    expect(summarizer.identity.model).toMatch(/^extractive/);
  });

  it('summarizes an article in 2–3 of its sentences with sensible tags', async () => {
    const result = await summarizer.summarize({
      text: ARTICLE,
      title: 'Icelandair tests airships for Arctic transport',
    });
    expectContract(result);
    expect(result.summary.startsWith('Icelandair will test two airships')).toBe(true);
    expect(result.tags).toContain('Icelandair');
  });

  it('returns a single sentence as is, and both of two', async () => {
    expect((await summarizer.summarize({ text: '  The bridge reopened today.  ' })).summary).toBe(
      'The bridge reopened today.',
    );
    const two = await summarizer.summarize({ text: 'The bridge reopened today. Traffic is back to normal.' });
    expect(two.summary).toBe('The bridge reopened today. Traffic is back to normal.');
    expect(two.tags.length).toBeGreaterThanOrEqual(2);
  });

  it('handles Markdown with lists, code blocks and URLs', async () => {
    const text = [
      '# Release 4.2 of the Harbor scheduler',
      '',
      'The Harbor team shipped release 4.2 of its job scheduler on Friday, see https://example.com/notes.',
      'The release focuses on **speed** and on [safer retries](https://example.com/retries).',
      '',
      '```bash',
      'npm install harbor-scheduler@4.2',
      '```',
      '',
      '- Jobs start twice as fast',
      '- Failed jobs retry with backoff',
      '- The dashboard shows queue depth',
      '',
      'Users of release 4.1 can upgrade without changes to their configuration.',
    ].join('\n');
    const result = await summarizer.summarize({ text });
    expectContract(result);
    expect(result.summary).not.toContain('npm install');
  });

  it('handles lowercased, unpunctuated and tokenized text', async () => {
    const lower = ARTICLE.toLowerCase();
    expectContract(await summarizer.summarize({ text: lower }));
    const unpunctuated = ARTICLE.replace(/[.,]/g, '').toLowerCase();
    const result = await summarizer.summarize({ text: unpunctuated });
    expect(result.summary.length).toBeLessThan(unpunctuated.length);
    expect(result.tags.length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    [
      'es',
      [
        'El gobierno de Chile aprobó el lunes una reforma de pensiones que sube las cotizaciones.',
        'La reforma de pensiones entrará en vigor en marzo.',
        'Los sindicatos de Chile apoyan el cambio, pero los empresarios lo critican.',
        'El Sr. Pérez, ministro de Trabajo, dijo que la reforma protege a los jubilados.',
      ],
    ],
    [
      'fr',
      [
        'Le gouvernement français a présenté mardi un plan pour les trains de nuit.',
        "Le plan prévoit dix nouvelles lignes d'ici 2030.",
        'M. Martin, ministre des Transports, a défendu le coût du projet.',
        'Les associations de voyageurs saluent le retour des trains de nuit.',
      ],
    ],
    [
      'de',
      [
        'Die Stadt Hamburg baut bis 2028 eine neue U-Bahn-Linie.',
        'Die Linie soll täglich rund 200.000 Fahrgäste befördern.',
        'Kritiker halten die Kosten von fünf Milliarden Euro für zu hoch.',
        'Der Senat verteidigt das Projekt als Investition in den Klimaschutz.',
      ],
    ],
    [
      'pt',
      [
        'O governo de Portugal anunciou um novo plano para a habitação.',
        'O plano prevê a construção de vinte mil casas até 2030.',
        'A Sra. Costa, ministra da Habitação, disse que as rendas vão baixar.',
        'Os senhorios criticam as novas regras para o arrendamento.',
      ],
    ],
  ])('summarizes %s text with 2–3 of its own sentences', async (_, sentences) => {
    const result = await summarizer.summarize({ text: sentences.join(' ') });
    expectContract(result, null);
    const picked = sentences.filter((s) => result.summary.includes(s));
    expect(picked.length).toBeGreaterThanOrEqual(2);
    expect(picked.length).toBeLessThanOrEqual(3);
    expect(picked.join(' ')).toBe(result.summary);
  });

  it('never throws and keeps the contract on odd input', async () => {
    for (const text of [
      '???',
      'https://example.com/only-a-link',
      '```\ncode only\n```',
      '🙂 🙂 🙂',
      'a',
      '\n\n\n',
      '- x',
    ]) {
      const result = await summarizer.summarize({ text });
      expect(result.summary.length).toBeGreaterThan(0);
      expect(result.tags.length).toBeGreaterThanOrEqual(2);
      expect(result.tags.length).toBeLessThanOrEqual(4);
    }
  });

  it('is deterministic', async () => {
    const a = await summarizer.summarize({ text: ARTICLE });
    const b = await new LocalSummarizer().summarize({ text: ARTICLE });
    expect(b).toEqual(a);
  });

  it('stays fast and bounded on 1 MB of text', async () => {
    const text = Array.from({ length: 200 }, () => ARTICLE).join('\n\n');
    const big = text.repeat(Math.ceil(1_000_000 / text.length)).slice(0, 1_000_000);
    const start = performance.now();
    const result = await summarizer.summarize({ text: big });
    expect(performance.now() - start).toBeLessThan(5000);
    expectContract(result);
  });

  it('rejects when already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(summarizer.summarize({ text: ARTICLE, signal: controller.signal })).rejects.toThrow('stop');
  });
});
