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

  it('falls back to English for text too short or in an unsupported script', () => {
    expect(detector.detect('ok')).toBe('en');
    expect(detector.detect('東京は日本の首都であり、世界最大の都市圏の一つです。')).toBe('en');
  });
});
