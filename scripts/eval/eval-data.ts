import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One row of a development set (see ../shared/eval/README.md). */
export interface EvalRow {
  readonly id: string;
  readonly text: string;
  readonly title?: string;
  readonly reference: string;
  readonly keywords?: string[];
}

export const EVAL_FILES = ['cnn-corpus-dev.jsonl', 'cnndm-dev.jsonl'] as const;

/** `EVAL_DIR`, else `../shared/eval` next to the repository. */
export function evalDir(): string {
  return process.env.EVAL_DIR ?? path.resolve(__dirname, '../../../shared/eval');
}

/** Null (and a message on stderr) when the data or the scorer is missing, e.g. in a clone without `../shared`. */
export function locateEvalData(): string | null {
  const dir = evalDir();
  const missing = [...EVAL_FILES, 'score.py'].filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length === 0) return dir;
  console.error(
    `Evaluation data not found: ${missing.join(', ')} missing in ${dir}.\n` +
      'The development sets live outside the repository (../shared/eval); set EVAL_DIR to their folder to run the evaluation.',
  );
  return null;
}

export function readRows(file: string): EvalRow[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as EvalRow);
}
