/**
 * Typed errors. Every failure the engine can foresee is one of these, so that a caller (the CLI,
 * a Node service) can tell whose fault it was without parsing messages. The library never exits
 * the process; the CLI maps `exitCode` to the process status.
 */
export type ErrorKind = 'usage' | 'input' | 'device' | 'internal';

/** Exit status per error class: usage 2, input data 3, device 4, internal 1. */
export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = {
  usage: 2,
  input: 3,
  device: 4,
  internal: 1,
};

export class GpusegError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = new.target.name;
  }
  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/** A flag or option has a value that cannot work (k < 1, unknown backend, ...). */
export class UsageError extends GpusegError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('usage', message, options);
  }
}

/** The data or a file is at fault: missing, corrupt, wrong shape, non-finite values, ... */
export class InputError extends GpusegError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('input', message, options);
  }
}

/** Why a device error happened; callers choose a fallback by it. */
export type DeviceFailure = 'unavailable' | 'lost' | 'out-of-memory' | 'validation' | 'internal';

/** No adapter, device lost, out of GPU memory, shader rejected. */
export class DeviceError extends GpusegError {
  readonly reason: DeviceFailure;
  constructor(message: string, options: { cause?: unknown; reason: DeviceFailure }) {
    super('device', message, options);
    this.reason = options.reason;
  }
}

/** A bug: something the code assumed could not happen did. */
export class InternalError extends GpusegError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('internal', message, options);
  }
}

/** Wraps anything thrown into a GpusegError, keeping typed ones as they are. */
export function asGpusegError(error: unknown): GpusegError {
  if (error instanceof GpusegError) return error;
  if (
    error instanceof RangeError &&
    /Array buffer allocation failed|Invalid typed array length/.test(error.message)
  ) {
    return new InputError(
      `out of host memory: ${error.message}; use a smaller input or stream it`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new InternalError(`internal error: ${message}`, { cause: error });
}

/** First line of a message, so that a CLI error is always one line. */
export function oneLine(message: string): string {
  const line = message.split('\n').find((l) => l.trim().length > 0) ?? message;
  return line.trim();
}
