import net from 'node:net';
import { findFreePort } from '../common/network/free-port.js';

/**
 * Loopback ports for web dynos: one nothing listens on now and no other dyno was given
 * (a dyno given a port may not have bound it yet). Released when its dyno ends.
 */
export class PortAllocator {
  private readonly given = new Set<number>();

  async allocate(): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const port = await findFreePort();
      if (!this.given.has(port)) {
        this.given.add(port);
        return port;
      }
      if (attempt > 100) throw new Error('no free port found');
    }
  }

  release(port: number): void {
    this.given.delete(port);
  }
}

/** Whether something accepts a TCP connection on 127.0.0.1:port right now. */
export function accepts(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Polls until the port accepts a connection ('bound'), `until` resolves first ('ended':
 * the process exited or is being stopped), or the deadline passes ('timeout').
 */
export async function waitForPort(
  port: number,
  deadline: number,
  until: Promise<unknown>,
): Promise<'bound' | 'ended' | 'timeout'> {
  let ended = false;
  void until.then(() => (ended = true));
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    if (ended) return 'ended';
    if (await accepts(port, Math.max(1, Math.min(1000, deadline - Date.now())))) {
      return ended ? 'ended' : 'bound';
    }
    const left = deadline - Date.now();
    if (left <= 0) return 'timeout';
    await Promise.race([
      until,
      new Promise((resolve) => setTimeout(resolve, Math.min(pause, left))),
    ]);
  }
}
