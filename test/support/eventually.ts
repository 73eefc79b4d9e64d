/** Retries `check` until it passes or `timeoutMs` runs out (then its last error is thrown). */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 5000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
