/**
 * Queue and job names. Renaming either strands the jobs already in Redis under the old name: drain the queue first.
 */
export const SUMMARIZE_QUEUE = 'summarize';
export const SUMMARIZE_JOB = 'summarize';
