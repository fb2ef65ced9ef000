import type { JobState } from 'bullmq';

/** The four job states clients see; BullMQ's finer states (waiting, delayed, prioritized, …) are all "pending". */
export type PublicJobStatus = 'pending' | 'processing' | 'completed' | 'failed';

export function toPublicJobStatus(state: JobState | 'unknown'): PublicJobStatus {
  switch (state) {
    case 'active':
      return 'processing';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    default:
      return 'pending';
  }
}
