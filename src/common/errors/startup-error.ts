/**
 * A start that cannot go on for a reason the operator can fix (a directory out of reach,
 * a wrong key). main.ts prints its message as one line, without a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
