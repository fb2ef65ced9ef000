/** One sample of a Prometheus text exposition: `name{label="value",…} 42`. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Parses the samples of the Prometheus text format (comments and `# HELP`/`# TYPE` lines skipped). Hand-written for
 * the tests: a line per sample, labels as `name="value"` with `\\`, `\"` and `\n` escapes; no timestamps are used.
 */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const [, name, labelText = '', value] = match;
    const labels: Record<string, string> = {};
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
    let consumed = 0;
    let label: RegExpExecArray | null;
    while ((label = labelPattern.exec(labelText)) !== null) {
      labels[label[1]] = label[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      consumed = labelPattern.lastIndex;
    }
    if (consumed !== labelText.length) throw new Error(`unparsed labels in: ${line}`);
    samples.push({ name, labels, value: Number(value) });
  }
  return samples;
}

/** The metrics of one scrape, with lookups by name and labels. */
export class Scrape {
  readonly samples: PromSample[];

  constructor(readonly text: string) {
    this.samples = parsePrometheusText(text);
  }

  /** Samples named `name` whose labels include `labels`. */
  find(name: string, labels: Record<string, string> = {}): PromSample[] {
    return this.samples.filter(
      (sample) =>
        sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  }

  /** The value of the one sample named `name` with `labels` (undefined when there is none; throws when several). */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const found = this.find(name, labels);
    if (found.length > 1)
      throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
    return found[0]?.value;
  }
}
