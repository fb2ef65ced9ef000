/**
 * The `AI_PRICES` format: a JSON object `{"<model>": {"input": <USD per 1M tokens>, "output": <USD per 1M tokens>}}`.
 * Lives with the configuration, which is validated with it at start-up; the AI module's price table uses the same.
 */

/** List price of one model in USD per million tokens (standard paid tier, text, no caching or batch discount). */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
}

/**
 * Parses `AI_PRICES`: a JSON object `{"<model>": {"input": <USD per 1M>, "output": <USD per 1M>}}`. Empty means
 * none. Throws an Error naming every problem (the config validation reports it with the other bad variables).
 */
export function parsePrices(json: string | undefined): Record<string, ModelPrice> {
  if (json === undefined || json.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`AI_PRICES is not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(
      'AI_PRICES must be a JSON object {"<model>": {"input": <USD per 1M tokens>, "output": <USD per 1M tokens>}}',
    );
  }
  const prices: Record<string, ModelPrice> = {};
  const problems: string[] = [];
  for (const [model, value] of Object.entries(parsed as Record<string, unknown>)) {
    const where = `AI_PRICES[${JSON.stringify(model)}]`;
    if (model.trim() === '') {
      problems.push('AI_PRICES has an empty model name');
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${where} must be an object {"input": number, "output": number}`);
      continue;
    }
    const record = value as Record<string, unknown>;
    const extra = Object.keys(record).filter((key) => key !== 'input' && key !== 'output');
    if (extra.length > 0)
      problems.push(`${where} has unknown field(s) ${extra.join(', ')}; expected input, output`);
    const bad = (['input', 'output'] as const).filter((key) => !isUsd(record[key]));
    for (const key of bad) {
      problems.push(
        `${where}.${key} must be a number >= 0 (USD per million tokens), got ${JSON.stringify(record[key])}`,
      );
    }
    if (bad.length === 0 && extra.length === 0) {
      prices[model.trim()] = { input: record.input as number, output: record.output as number };
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return prices;
}

function isUsd(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
