/**
 * A known reason the service cannot start (bad configuration, the wrong encryption key):
 * main prints its message as it is, one line an operator can act on, and no stack trace.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
