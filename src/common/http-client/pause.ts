/**
 * A wait between retries that can be cut short: stopping a client (or news that makes the
 * wait pointless) ends it at once instead of after the backoff delay.
 */
export class Pause {
  private wake?: () => void;

  for(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Ends the wait in progress, if any. */
  interrupt(): void {
    this.wake?.();
  }
}
