import type { Worker } from 'bullmq';

/** Running jobs are cancelled this long before the shutdown deadline, so they can go back to the queue in time. */
const CANCEL_MARGIN_MS = 2_000;

/**
 * Closes a BullMQ worker within `shutdownTimeoutMs` (SHUTDOWN_TIMEOUT_MS): it stops taking jobs and waits for the
 * running ones; those still running shortly before the deadline are cancelled (their processors see the abort signal
 * and put their jobs back to wait).
 */
export async function closeWorkerWithin(worker: Worker, shutdownTimeoutMs: number): Promise<void> {
  const cancel = setTimeout(
    () => worker.cancelAllJobs('shutting down'),
    Math.max(0, shutdownTimeoutMs - CANCEL_MARGIN_MS),
  );
  try {
    await worker.close();
  } finally {
    clearTimeout(cancel);
  }
}
