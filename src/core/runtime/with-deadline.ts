/**
 * Settles as `operation` does, or rejects with `onTimeout()` once `ms` have passed; the timer is cleared either way.
 * `operation` itself is not cancelled: use this for calls that take no AbortSignal.
 */
export async function withDeadline<T>(operation: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([operation, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
