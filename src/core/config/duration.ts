const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/**
 * Whole seconds (`2592000`) or a duration with one unit (`30d`, `12h`, `15m`, `90s`, `2w`) as seconds; null when the
 * value is neither. Hand-written because it is one regular expression: a duration library would add a dependency
 * and accept more spellings (`1.5 hours`, `P30D`) than an environment variable should.
 */
export function parseDurationSeconds(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d{1,12})\s*([smhdw]?)\s*$/i.exec(value);
  if (!match) return null;
  const seconds = Number(match[1]) * UNIT_SECONDS[(match[2] || 's').toLowerCase()];
  return Number.isSafeInteger(seconds) ? seconds : null;
}
