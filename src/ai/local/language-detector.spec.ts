import { describe, it, expect } from 'vitest';
import { LanguageDetector } from './language-detector';

describe('LanguageDetector', () => {
  const detector = new LanguageDetector();

  it.each([
    [
      'en',
      'The city council voted on Tuesday to expand the bus network, saying commuters had waited long enough.',
    ],
    [
      'es',
      'El ayuntamiento aprobó el martes ampliar la red de autobuses, porque los viajeros ya habían esperado demasiado.',
    ],
    [
      'fr',
      "Le conseil municipal a voté mardi l'extension du réseau de bus, car les usagers avaient assez attendu.",
    ],
    [
      'de',
      'Der Stadtrat hat am Dienstag beschlossen, das Busnetz zu erweitern, weil die Pendler lange genug gewartet haben.',
    ],
    [
      'pt',
      'A câmara municipal votou na terça-feira a ampliação da rede de autocarros, porque os passageiros já esperaram muito.',
    ],
  ])('detects %s', (expected, text) => {
    expect(detector.detect(text)).toBe(expected);
  });

  it('settles long English text by its function words, and does not mistake other languages for it', () => {
    const english =
      'The harbour council said on Tuesday that it would extend the ferry timetable for the summer, and that the ' +
      'new boats, which have been delayed by a year, will carry more passengers than the old ones.';
    expect(detector.detect(english)).toBe('en');
    const portuguese =
      'A câmara municipal anunciou na terça-feira que vai ampliar as linhas de autocarros para as zonas rurais ' +
      'e que os novos veículos, que chegaram com um ano de atraso, vão transportar mais passageiros do que os antigos.';
    expect(detector.detect(portuguese)).toBe('pt');
    const dutch =
      'De gemeenteraad heeft dinsdag besloten dat het busnet wordt uitgebreid, omdat de reizigers in de dorpen al ' +
      'jaren wachten en het aantal passagiers in de zomer is verdubbeld sinds de nieuwe lijn werd geopend.';
    expect(detector.detect(dutch)).toBe('nl');
  });

  it('falls back to English for text too short or in an unsupported script', () => {
    expect(detector.detect('ok')).toBe('en');
    expect(detector.detect('東京は日本の首都であり、世界最大の都市圏の一つです。')).toBe('en');
  });
});
