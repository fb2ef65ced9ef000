import { describe, expect, it } from 'vitest';
import { failedHistoryEntry } from './history-entry';

const failedJob = (data: Record<string, unknown> = {}) => ({
  id: '0b7d8a36-8c7e-4f35-9d35-3f0f3b7c1c11',
  data: { inputType: 'text' as const, input: 'Some text.', inputHash: 'abc', ...data },
  timestamp: Date.UTC(2026, 11, 1, 12, 0, 0),
  attemptsMade: 3,
  processedOn: Date.UTC(2026, 11, 1, 12, 0, 1),
  finishedOn: Date.UTC(2026, 11, 1, 12, 0, 4),
  failedReason: 'Invalid model output after one repair attempt',
});

describe('failedHistoryEntry', () => {
  it('records what the failed attempts spent at the provider', () => {
    const { row, archive } = failedHistoryEntry(
      failedJob({ failedAttemptCharges: { costUsd: 0.00042, totalTokens: 1_400 } }),
    );
    expect(row).toMatchObject({
      status: 'failed',
      cost_usd: 0.00042,
      total_tokens: 1_400,
      attempts: 3,
      processing_time_ms: 3_000,
      error: 'Invalid model output after one repair attempt',
    });
    expect(archive).toEqual([]);
  });

  it('leaves cost and tokens unknown when no attempt reached a provider that billed it', () => {
    expect(failedHistoryEntry(failedJob()).row).toMatchObject({ cost_usd: null, total_tokens: null });
  });
});
