import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full GC left live, in percent.
 *
 * By default V8 grows it up to 4× the live size when collection is cheap, which it is here (pauses of a few ms):
 * under a job backlog RSS climbed to several times the live heap, nearly all of it garbage waiting for the next
 * mark-compact. Measured on Node 20 at commit 85a2f03 (docs/performance.md; the benchmark's `memory` section
 * re-measures): ~80 MB live, ~430 MB RSS with V8's default, near 240 MB with 50 % at the same throughput. Unlike
 * `--max-old-space-size` this is no ceiling: a larger live heap still gets room, nothing runs out of memory.
 * Processes that only serve the API keep V8's default: their garbage dies young, and the extra full collections
 * cost the cache-hit path CPU (about 10 % per request on Node 20, commit 91b9c70).
 */
const HEAP_GROWING_PERCENT = 50;

/**
 * Applies {@link HEAP_GROWING_PERCENT} unless the operator chose a value on the command line (`node
 * --heap-growing-percent=N dist/main.js`; NODE_OPTIONS cannot carry this flag). V8 reads it at every full GC, so
 * setting it after start-up takes effect (measured: docs/performance.md); Node's documentation warns that flags
 * changed at run time may do nothing, which is the worst case here. Called by main.ts for processes that run workers.
 */
export function tuneHeap(argv: readonly string[] = process.execArgv): void {
  if (argv.some((flag) => /^--heap[-_]growing[-_]percent\b/.test(flag))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
