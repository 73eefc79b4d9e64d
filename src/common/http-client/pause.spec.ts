import { Pause } from './pause.js';

describe('Pause', () => {
  it('ends when interrupted, long before its delay', async () => {
    const pause = new Pause();
    let ended = false;
    const waiting = pause.for(60_000).then(() => (ended = true));
    await Promise.resolve();
    expect(ended).toBe(false);
    pause.interrupt();
    await waiting;
    expect(ended).toBe(true);
  });

  it('ends by itself after its delay, and an interrupt with nothing waiting does nothing', async () => {
    const pause = new Pause();
    pause.interrupt();
    await pause.for(1);
  });
});
