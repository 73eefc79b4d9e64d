import type { Logger } from 'pino';
import { describeError } from '../common/http-client/describe-error.js';
import {
  ATTACH_ERROR,
  AttachSession,
  ORPHANED_ATTACH_ERROR,
  sameHash,
  secretHash,
} from './attach-session.js';
import type { LogSink } from '../common/http-client/log-shipper.js';
import type { DynoReport } from './control-plane-api.js';
import { CrashCooldown } from './crash-cooldown.js';
import { dynoEnv, isWeb } from './dyno-env.js';
import { DynoExit, DynoLaunch, DynoProcess } from './dyno-process.js';
import { DynoWorkspace, WorkspaceError } from './dyno-workspace.js';
import { isOneOff, type ManagedDyno } from './managed-dyno.js';
import { killGroup, stopGroup } from './process-group.js';
import { ProcessState } from './process-state.js';
import { readProcess } from './process-table.js';
import { PortAllocator, waitForPort } from './ports.js';
import { planReconcile, type ReconcileAction } from './reconcile.js';
import type { Scope } from './listing-sync.js';

/** The terminal size `heroku run` gets when the client sent none (the CLI always does). */
const DEFAULT_COLUMNS = 80;
const DEFAULT_LINES = 24;

export interface SupervisorOptions {
  dynoHost: string;
  stopTimeoutMs: number;
  bootTimeoutMs: number;
  crashCooldownMs: number;
  /** The manager's PATH, which dynos get unless a config var sets theirs. */
  path: string;
  workspace: DynoWorkspace;
  state: ProcessState;
  ports?: PortAllocator;
  report: (dyno: ManagedDyno, report: DynoReport) => void;
  /**
   * The apps' logs: what detached and formation dynos write (`app[web.1]`) and the lines
   * Heroku writes about them (`heroku[web.1]`). Attached dynos' output goes to their client.
   */
  logs?: LogSink;
  /** Re-lists every app; resolves once the listing is applied. */
  relistAll: () => Promise<unknown>;
  log: Logger;
  now?: () => number;
}

/** A process of a dyno, from its preparation to its end. */
interface Run {
  dyno: ManagedDyno;
  phase: 'preparing' | 'booting' | 'up';
  stopping: boolean;
  port?: number;
  pid?: number;
  exit?: Promise<DynoExit>;
  /** Resolves once the end of the process is handled. */
  done?: Promise<void>;
  bootTimedOut?: boolean;
  /** An attached run: resolves `exit` when the rendezvous says the process ended. */
  endAttached?: (exit: DynoExit) => void;
}

/** Everything the manager follows under one dyno name of an app. */
interface Slot {
  key: string;
  /** The dyno as last listed: the generation that should run. */
  target: ManagedDyno;
  /** False once the listing no longer holds it: stop, then forget. */
  wanted: boolean;
  run?: Run;
  cooldown: CrashCooldown;
  restartTimer?: NodeJS.Timeout;
  /** An attached one-off dyno: runs only through the rendezvous, once. */
  attached: boolean;
  attachUsed: boolean;
  attachTimer?: NodeJS.Timeout;
  driving?: Promise<void>;
  again: boolean;
}

/**
 * Runs the dynos the listings ask for, one slot per dyno name of an app, each driven by one
 * loop at a time: stop what is obsolete (another dyno, an older generation, no longer
 * listed), then start what should run; crashed formation dynos start again after Heroku's
 * cooldown, one-off dynos run once. Every change of state is reported.
 */
export class DynoSupervisor {
  private readonly slots = new Map<string, Slot>();
  /** One-off dynos that ran here (their id, and their app's): never run again. */
  private readonly finished = new Map<string, string>();
  private readonly ports: PortAllocator;
  private readonly now: () => number;
  private shuttingDown = false;

  constructor(private readonly options: SupervisorOptions) {
    this.ports = options.ports ?? new PortAllocator();
    this.now = options.now ?? Date.now;
  }

  /** Follows a listing of the apps in `scope` (everything, or apps whose dynos changed). */
  apply(listed: ManagedDyno[], scope: Scope): void {
    if (this.shuttingDown) return;
    const plan = planReconcile({
      listed,
      scope,
      slots: [...this.slots.values()].map((slot) => ({
        appId: slot.target.app.id,
        name: slot.target.name,
        dynoId: slot.target.id,
        generation: slot.target.generation,
      })),
      finished: new Set(this.finished.keys()),
      finishedApps: this.finished,
    });
    for (const id of plan.forget) this.finished.delete(id);
    for (const action of plan.actions) this.follow(action);
  }

  /** One-off dynos that a previous run of the manager left: they will not run again. */
  markFinished(dynoId: string, appId: string): void {
    this.finished.set(dynoId, appId);
  }

  /**
   * The rendezvous's question: which attached one-off dyno this secret opens. Each secret
   * is good once and until it expires. A `heroku run` connects right after creating its
   * dyno, so an unknown secret is asked about once more after listing everything again.
   */
  async authorize(secret: string): Promise<AttachSession | null> {
    const hash = secretHash(secret);
    const slot = this.findAttachable(hash) ?? (await this.relistThenFind(hash));
    if (!slot) return null;
    slot.attachUsed = true;
    clearTimeout(slot.attachTimer);
    slot.attachTimer = undefined;
    return this.attachSession(slot, slot.target);
  }

  /** Stops every dyno (reporting them down) and starts none after; resolves once all ended. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const slots = [...this.slots.values()];
    for (const slot of slots) {
      clearTimeout(slot.restartTimer);
      clearTimeout(slot.attachTimer);
      slot.restartTimer = slot.attachTimer = undefined;
    }
    await Promise.all(slots.map((slot) => this.drive(slot)));
  }

  private follow(action: ReconcileAction): void {
    if (action.kind === 'start') {
      const slot: Slot = {
        key: action.key,
        target: action.dyno,
        wanted: true,
        cooldown: new CrashCooldown(this.options.crashCooldownMs),
        attached: action.dyno.attached,
        attachUsed: false,
        again: false,
      };
      this.slots.set(action.key, slot);
      void this.drive(slot);
      return;
    }
    const slot = this.slots.get(action.key)!;
    if (action.kind === 'stop') {
      slot.wanted = false;
    } else {
      if (action.kind === 'replace') {
        if (action.reason === 'new dyno') {
          slot.cooldown = new CrashCooldown(this.options.crashCooldownMs);
          slot.attached = action.dyno.attached;
          slot.attachUsed = false;
        }
        // A new generation starts at once, cooldown or not (as `heroku ps:restart` does).
        clearTimeout(slot.restartTimer);
        slot.restartTimer = undefined;
      }
      slot.target = action.dyno;
      slot.wanted = true;
    }
    void this.drive(slot);
  }

  /** Runs the slot's loop, or asks the running one to look again. */
  private drive(slot: Slot): Promise<void> {
    if (slot.driving) {
      slot.again = true;
      return slot.driving;
    }
    slot.driving = (async () => {
      try {
        do {
          slot.again = false;
          await this.step(slot);
        } while (slot.again);
      } catch (error) {
        this.options.log.error(
          { app_id: slot.target.app.id, dyno: slot.target.name, error: describeError(error) },
          'dyno slot failed',
        );
      } finally {
        slot.driving = undefined;
      }
    })();
    return slot.driving;
  }

  private async step(slot: Slot): Promise<void> {
    const run = slot.run;
    if (run) {
      if (!run.stopping && this.obsolete(slot, run)) {
        await this.stop(slot, run);
        slot.again = true;
      }
      return;
    }
    const dyno = slot.target;
    const finished = isOneOff(dyno) && this.finished.has(dyno.id);
    if (this.shuttingDown || !slot.wanted || finished) {
      clearTimeout(slot.restartTimer);
      clearTimeout(slot.attachTimer);
      if (!this.shuttingDown) await this.options.workspace.remove(dyno);
      // Listed again meanwhile: follow it instead of forgetting it.
      if (slot.wanted && !this.shuttingDown && !finished) {
        slot.again = true;
        return;
      }
      if (this.slots.get(slot.key) === slot) this.slots.delete(slot.key);
      return;
    }
    if (slot.restartTimer) return;
    if (slot.attached) {
      if (!dyno.attach && !slot.attachUsed) return this.endOrphanedAttach(slot);
      this.awaitAttach(slot);
      return;
    }
    await this.start(slot, dyno);
  }

  private obsolete(slot: Slot, run: Run): boolean {
    return (
      this.shuttingDown ||
      !slot.wanted ||
      slot.target.id !== run.dyno.id ||
      slot.target.generation > run.dyno.generation
    );
  }

  private async start(slot: Slot, dyno: ManagedDyno): Promise<void> {
    const run: Run = { dyno, phase: 'preparing', stopping: false };
    let launch: DynoLaunch;
    try {
      launch = await this.begin(slot, run);
    } catch {
      return;
    }
    if (this.obsolete(slot, run)) {
      // Stopped before it ran: at shutdown it is reported down like the others.
      this.ended(slot, run, { kind: 'failed', error: 'Stopped before the process started' });
      return;
    }
    this.appLog(run, `Starting process with command \`${dyno.command}\``);
    const logs = this.options.logs;
    const appId = dyno.app.id;
    const process = DynoProcess.start(
      launch,
      logs && ((line) => logs.push(appId, 'app', dyno.name, line)),
    );
    run.pid = process.pid;
    run.exit = process.exit;
    run.done = process.exit.then((exit) => this.ended(slot, run, exit));
    if (process.pid === undefined) return;
    this.record(run, process.pid, process.startTime);
    this.log('info', run, 'process started', { pid: process.pid, port: run.port });
    if (run.port === undefined) {
      run.phase = 'up';
      this.report(run, { state: 'up' });
    } else {
      run.phase = 'booting';
      void this.awaitBoot(slot, run, run.port);
    }
  }

  /**
   * Makes `run` the slot's, reports it starting and prepares it. A preparation that fails
   * ends the run crashed with its reason, and rejects.
   */
  private async begin(slot: Slot, run: Run): Promise<DynoLaunch> {
    slot.run = run;
    this.report(run, { state: 'starting', address: null });
    try {
      return await this.prepare(run);
    } catch (error) {
      this.ended(slot, run, { kind: 'failed', error: preparationError(error) });
      throw error;
    }
  }

  /** The directory and environment of a start; a web dyno gets its port. */
  private async prepare(run: Run): Promise<DynoLaunch> {
    const cwd = await this.options.workspace.prepare(run.dyno);
    if (isWeb(run.dyno)) run.port = await this.ports.allocate();
    return {
      command: run.dyno.command,
      cwd,
      env: dynoEnv(run.dyno, { home: cwd, port: run.port, path: this.options.path }),
    };
  }

  /** Up once the port accepts connections; Heroku's R10 when it does not in time. */
  private async awaitBoot(slot: Slot, run: Run, port: number): Promise<void> {
    const outcome = await waitForPort(port, this.now() + this.options.bootTimeoutMs, run.exit!);
    if (slot.run !== run || run.stopping || outcome === 'ended') return;
    if (outcome === 'bound') {
      run.phase = 'up';
      this.report(run, { state: 'up', address: `${this.options.dynoHost}:${port}` });
      this.log('info', run, 'web process bound its port', { port });
      return;
    }
    run.bootTimedOut = true;
    this.log('error', run, 'web process failed to bind its port in time: killing it', { port });
    this.appLog(run, bootTimeoutError(this.options.bootTimeoutMs));
    this.appLog(run, 'Stopping process with SIGKILL');
    await killGroup(run.pid!);
  }

  /** Stops a process on purpose (SIGTERM, SIGKILL after the stop timeout). */
  private async stop(slot: Slot, run: Run): Promise<void> {
    run.stopping = true;
    if (run.pid === undefined) return;
    this.log('info', run, 'stopping process', { pid: run.pid });
    this.appLog(run, 'Stopping all processes with SIGTERM');
    const how = await stopGroup(run.pid, this.options.stopTimeoutMs, run.exit, () => {
      this.appLog(
        run,
        `Error R12 (Exit timeout) -> At least one process failed to exit within ${formatSeconds(this.options.stopTimeoutMs)} of SIGTERM`,
      );
      this.appLog(run, 'Stopping remaining processes with SIGKILL');
    });
    // An attached process ends through the rendezvous; if it did not say so, it ended here.
    run.endAttached?.({
      kind: 'exited',
      status: how === 'killed' ? 137 : 143,
      lastErrorLine: undefined,
      ranMs: 0,
    });
    await run.done;
    if (slot.run === run) slot.run = undefined;
  }

  /** A process ended, or could not start. */
  private ended(slot: Slot, run: Run, exit: DynoExit): void {
    if (slot.run !== run) return;
    slot.run = undefined;
    this.release(run);
    const dyno = run.dyno;
    const status = exit.kind === 'exited' ? exit.status : undefined;
    const onPurpose = run.stopping || this.obsolete(slot, run);
    const at = onPurpose || status === 0 ? 'info' : 'error';
    this.log(at, run, onPurpose ? 'process stopped' : 'process ended', {
      pid: run.pid,
      exit_status: status,
    });
    if (onPurpose) {
      // Replaced or gone: the next generation reports for itself, or there is no dyno left.
      if (this.shuttingDown) {
        if (isOneOff(dyno)) this.finished.set(dyno.id, dyno.app.id);
        this.report(run, { state: 'down', address: null, exit_status: status });
      }
    } else {
      const error = run.bootTimedOut
        ? bootTimeoutError(this.options.bootTimeoutMs)
        : exit.kind === 'failed'
          ? exit.error
          : (exit.lastErrorLine ?? `Process exited with status ${exit.status}`);
      if (isOneOff(dyno)) {
        this.finished.set(dyno.id, dyno.app.id);
        this.report(
          run,
          status === 0
            ? { state: 'down', address: null, exit_status: 0 }
            : { state: 'crashed', address: null, exit_status: status, error },
        );
      } else {
        this.report(run, { state: 'crashed', address: null, exit_status: status, error });
        const delay = slot.cooldown.next(exit.kind === 'exited' ? exit.ranMs : 0);
        if (delay > 0) {
          this.log('info', run, 'restarting after a cooldown', { cooldown_ms: delay });
          slot.restartTimer = setTimeout(() => {
            slot.restartTimer = undefined;
            void this.drive(slot);
          }, delay);
        }
      }
    }
    void this.drive(slot);
  }

  /**
   * An attached dyno whose secret was spent, though not here: its client attached to a
   * manager that is gone, and the session went with it. It ends crashed, never runs alone.
   */
  private endOrphanedAttach(slot: Slot): void {
    const dyno = slot.target;
    this.finished.set(dyno.id, dyno.app.id);
    this.options.log.info({ app_id: dyno.app.id, dyno: dyno.name }, 'attached session lost');
    this.options.report(dyno, {
      state: 'crashed',
      generation: dyno.generation,
      error: ORPHANED_ATTACH_ERROR,
    });
    slot.again = true;
  }

  private awaitAttach(slot: Slot): void {
    const attach = slot.target.attach;
    if (slot.attachUsed || !attach || slot.attachTimer) return;
    const expire = () => {
      slot.attachTimer = undefined;
      if (slot.attachUsed || slot.run || this.shuttingDown) return;
      // The secret may have been renewed in a listing since.
      const current = slot.target.attach;
      if (current && current.expiresAt.getTime() > this.now()) return this.awaitAttach(slot);
      const dyno = slot.target;
      this.finished.set(dyno.id, dyno.app.id);
      this.options.log.info({ app_id: dyno.app.id, dyno: dyno.name }, 'attach secret expired');
      this.options.report(dyno, {
        state: 'crashed',
        generation: dyno.generation,
        error: ATTACH_ERROR,
      });
      void this.drive(slot);
    };
    // setTimeout takes at most 2^31-1 ms; an expiry further away is looked at again then.
    const delay = Math.min(2 ** 31 - 1, Math.max(0, attach.expiresAt.getTime() - this.now()));
    slot.attachTimer = setTimeout(expire, delay);
  }

  private findAttachable(hash: string): Slot | undefined {
    const now = this.now();
    for (const slot of this.slots.values()) {
      const attach = slot.target.attach;
      if (
        slot.attached &&
        slot.wanted &&
        !slot.attachUsed &&
        !slot.run &&
        attach &&
        attach.expiresAt.getTime() > now &&
        !this.finished.has(slot.target.id) &&
        sameHash(attach.secretSha256, hash)
      )
        return slot;
    }
    return undefined;
  }

  private async relistThenFind(hash: string): Promise<Slot | undefined> {
    try {
      await this.options.relistAll();
    } catch {
      return undefined;
    }
    return this.findAttachable(hash);
  }

  private attachSession(slot: Slot, dyno: ManagedDyno): AttachSession {
    const attach = dyno.attach!;
    let run: Run | undefined;
    return {
      dyno: { id: dyno.id, appName: dyno.app.name, name: dyno.name },
      tty: attach.tty
        ? { columns: attach.columns ?? DEFAULT_COLUMNS, lines: attach.lines ?? DEFAULT_LINES }
        : null,
      prepare: async () => {
        if (run) throw new Error('the attached dyno was prepared already');
        const current: Run = { dyno, phase: 'preparing', stopping: false };
        run = current;
        if (this.shuttingDown || this.obsolete(slot, current) || slot.run) {
          throw new Error('the dyno was stopped');
        }
        const launch = await this.begin(slot, current);
        current.exit = new Promise<DynoExit>((resolve) => (current.endAttached = resolve));
        current.done = current.exit.then((exit) => this.ended(slot, current, exit));
        if (this.obsolete(slot, current)) {
          current.endAttached!({ kind: 'failed', error: 'The dyno was stopped' });
          throw new Error('the dyno was stopped');
        }
        return launch;
      },
      started: (pid) => {
        if (!run || slot.run !== run || run.pid !== undefined) return;
        run.pid = pid;
        run.phase = 'up';
        this.appLog(run, `Starting process with command \`${dyno.command}\``);
        this.record(run, pid, readProcess(pid)?.startTime ?? 0);
        this.log('info', run, 'attached process started', { pid });
        this.report(run, { state: 'up' });
        // Stopped meanwhile (ps:stop, shutdown): now that there is a process, stop it.
        if (run.stopping || this.obsolete(slot, run)) void this.stop(slot, run);
      },
      ended: ({ status, lastErrorLine }) => {
        if (!run?.endAttached) return;
        run.endAttached({ kind: 'exited', status, lastErrorLine, ranMs: 0 });
      },
      abandon: (reason) => {
        if (run?.pid !== undefined) return;
        if (run?.endAttached) {
          run.endAttached({ kind: 'failed', error: reason });
          return;
        }
        if (run) return;
        // Never prepared: the dyno ends without having run.
        this.finished.set(dyno.id, dyno.app.id);
        this.options.report(dyno, { state: 'crashed', generation: dyno.generation, error: reason });
        void this.drive(slot);
      },
    };
  }

  private record(run: Run, pid: number, startTime: number): void {
    this.options.state.add({
      pgid: pid,
      startTime,
      appId: run.dyno.app.id,
      dynoId: run.dyno.id,
      name: run.dyno.name,
      generation: run.dyno.generation,
      oneOff: isOneOff(run.dyno),
    });
  }

  private release(run: Run): void {
    if (run.port !== undefined) this.ports.release(run.port);
    if (run.pid !== undefined) this.options.state.remove(run.pid);
  }

  private report(run: Run, report: Omit<DynoReport, 'generation'>): void {
    this.options.report(run.dyno, { ...report, generation: run.dyno.generation });
  }

  /** A line Heroku writes about a dyno, as `heroku[<dyno>]` in its app's log. */
  private appLog(run: Run, message: string): void {
    this.options.logs?.push(run.dyno.app.id, 'heroku', run.dyno.name, message);
  }

  private log(at: 'info' | 'error', run: Run, message: string, fields: object = {}): void {
    this.options.log[at](
      {
        app: run.dyno.app.name,
        app_id: run.dyno.app.id,
        dyno: run.dyno.name,
        generation: run.dyno.generation,
        ...fields,
      },
      message,
    );
  }
}

function preparationError(error: unknown): string {
  if (error instanceof WorkspaceError) return error.message;
  return `Failed to prepare the dyno: ${describeError(error)}`;
}

function bootTimeoutError(timeoutMs: number): string {
  return `Error R10 (Boot timeout) -> Web process failed to bind to $PORT within ${formatSeconds(timeoutMs)} of launch`;
}

/** "60 seconds", as Heroku's R10 says it; "0.5 seconds" for a short test timeout. */
function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} seconds`;
}
