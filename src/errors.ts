import { readFileSync } from 'node:fs';

/**
 * Typed errors. Every failure the engine can foresee is one of these, so that a caller (the CLI,
 * a Node service) can tell whose fault it was without parsing messages. The library never exits
 * the process; the CLI maps `exitCode` to the process status.
 */
export type ErrorKind = 'usage' | 'input' | 'device' | 'environment' | 'internal' | 'aborted';

/**
 * Exit status per error class: usage 2, input data 3, device 4, environment 5, internal 1,
 * aborted 130 (as an interrupted command).
 */
export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = {
  usage: 2,
  input: 3,
  device: 4,
  environment: 5,
  internal: 1,
  aborted: 130,
};

/**
 * Who reads a message: an API caller knows an option by its name (`maxIter`), a CLI user by its
 * flag (`--max-iter`).
 */
export type Naming = 'option' | 'flag';

/**
 * A message, or one that names options, written once for both readers: it is given the function
 * that names an option (API name in, the name the reader knows out) and returns the text.
 */
export type Message = string | ((name: (option: string) => string) => string);

/**
 * An option as `naming` calls it. A flag is the option's name in kebab case ('maxIter' →
 * '--max-iter'): commander turns each flag into the camelCase attribute that is the API's option
 * name (test/cli-parameters.test.ts holds the parameter tables to that).
 */
export function optionName(option: string, naming: Naming): string {
  return naming === 'option'
    ? option
    : `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * What a message is about: a label written as the caller wants it ('--output', 'the input'), or
 * an API option, named as the reader knows it, with its value when given ({ option: 'model',
 * value: 'm.json' }: `model 'm.json'` or `--model 'm.json'`).
 */
export type Subject = string | { readonly option: string; readonly value?: string };

/** The subject's text, with `name` naming options. */
export function subjectName(subject: Subject, name: (option: string) => string): string {
  if (typeof subject === 'string') return subject;
  return subject.value === undefined
    ? name(subject.option)
    : `${name(subject.option)} '${subject.value}'`;
}

/** The message's text with options named for `naming`'s reader. */
export function renderMessage(message: Message, naming: Naming): string {
  return typeof message === 'string' ? message : message((o) => optionName(o, naming));
}

export class GpusegError extends Error {
  readonly kind: ErrorKind;
  /** A stable code for programs to branch on (README, 'Error codes'), e.g. 'GPUSEG_INPUT'. */
  readonly code: string;
  readonly #message: Message;
  /** `message` names options as the API does (`maxIter`); `messageFor('flag')` as the CLI does. */
  constructor(kind: ErrorKind, message: Message, options?: { cause?: unknown; code?: string }) {
    super(renderMessage(message, 'option'), options);
    this.#message = message;
    this.kind = kind;
    this.code = options?.code ?? `GPUSEG_${kind.toUpperCase()}`;
    this.name = new.target.name;
  }
  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
  /** The message with options named for `naming`'s reader: the CLI shows flags (`--max-iter`). */
  messageFor(naming: Naming): string {
    return renderMessage(this.#message, naming);
  }
}

/** A flag or option has a value that cannot work (k < 1, unknown backend, ...). */
export class UsageError extends GpusegError {
  constructor(message: Message, options?: { cause?: unknown }) {
    super('usage', message, options);
  }
}

/** The data or a file is at fault: missing, corrupt, wrong shape, non-finite values, ... */
export class InputError extends GpusegError {
  constructor(message: Message, options?: { cause?: unknown }) {
    super('input', message, options);
  }
}

/** Why a device error happened; callers choose a fallback by it. */
export type DeviceFailure = 'unavailable' | 'lost' | 'out-of-memory' | 'validation' | 'internal';

/** No adapter, device lost, out of GPU memory, shader rejected. */
export class DeviceError extends GpusegError {
  readonly reason: DeviceFailure;
  constructor(message: Message, options: { cause?: unknown; reason: DeviceFailure }) {
    super('device', message, {
      ...options,
      code: `GPUSEG_DEVICE_${options.reason.toUpperCase().replaceAll('-', '_')}`,
    });
    this.reason = options.reason;
  }
}

/**
 * The machine, not the data or the flags: a disk or quota full, a file-size limit, an unusable
 * temporary folder, memory that could not be had, a service that cannot be reached. Running again
 * elsewhere, or after freeing the resource, can succeed with the same input.
 */
export class EnvironmentError extends GpusegError {
  /** `code`: GPUSEG_OUT_OF_MEMORY, GPUSEG_DISK_FULL, else GPUSEG_ENVIRONMENT. */
  constructor(message: Message, options?: { cause?: unknown; code?: string }) {
    super('environment', message, options);
  }
}

/**
 * The caller cancelled the work through its AbortSignal (the `signal` option). Named 'AbortError'
 * as the platform's aborts are; code 'GPUSEG_ABORTED'; the signal's reason is the cause.
 */
export class AbortedError extends GpusegError {
  constructor(message: Message = 'the operation was aborted', options?: { cause?: unknown }) {
    super('aborted', message, { ...options, code: 'GPUSEG_ABORTED' });
    this.name = 'AbortError';
  }
}

/** Throws AbortedError when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    const why =
      reason instanceof Error && reason.name !== 'AbortError' ? `: ${reason.message}` : '';
    throw new AbortedError(`the operation was aborted${why}`, { cause: reason });
  }
}

/** A bug: something the code assumed could not happen did. */
export class InternalError extends GpusegError {
  constructor(message: Message, options?: { cause?: unknown }) {
    super('internal', message, options);
  }
}

/** errno codes that mean the disk (or a limit on it) is full, with what each says. */
const DISK_FULL: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file-size limit (ulimit -f) or the file system',
};

/** What a disk-full error code means ('no space left on the device'), or undefined for any other error. */
export function diskFullReason(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && Object.hasOwn(DISK_FULL, code)
    ? `${DISK_FULL[code]} (${code})`
    : undefined;
}

/** The error of a failed write to `path`: EnvironmentError when the disk is full, else `otherwise`. */
export function writeFailure(
  path: string,
  error: unknown,
  otherwise: (message: string) => GpusegError,
): GpusegError {
  if (error instanceof GpusegError) return error;
  const full = diskFullReason(error);
  if (full)
    return new EnvironmentError(`cannot write '${path}': ${full}`, {
      cause: error,
      code: 'GPUSEG_DISK_FULL',
    });
  return otherwise(`cannot write '${path}': ${(error as Error).message}`);
}

/**
 * A failed allocation as the runtime reports it: an ArrayBuffer or typed array that could not be
 * had, a WebAssembly memory that could not be reserved or grown (V8 reserves 10 GiB of address
 * space per WebAssembly memory unless node runs with --disable-wasm-trap-handler, so a virtual
 * memory limit, `ulimit -v`, runs out long before physical memory does), or Emscripten's abort
 * wrapping one of those.
 */
const ALLOCATION_FAILED =
  /Array buffer allocation failed|Invalid typed array length|Invalid array buffer length|WebAssembly\.(Memory|instantiate|Instance|grow)\S*:? .*(could not allocate|Out of memory|Cannot allocate|Maximum memory size exceeded)|Cannot allocate Wasm memory/i;

/** The out-of-memory error for a failed allocation, saying what ran out; undefined for other errors. */
export function outOfMemory(error: unknown): EnvironmentError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!ALLOCATION_FAILED.test(message)) return undefined;
  const what = /wasm|webassembly/i.test(message)
    ? 'could not reserve WebAssembly memory'
    : 'could not allocate a host buffer';
  const limit = virtualMemoryLimit();
  const advice =
    limit !== undefined
      ? `the virtual memory limit (ulimit -v) is ${(limit / 2 ** 30).toFixed(1)} GiB: raise it${/wasm|webassembly/i.test(message) ? ', or run node with --disable-wasm-trap-handler (V8 reserves 10 GiB of address space per WebAssembly memory without it)' : ''}`
      : 'use a smaller input, fewer rows per chunk (--chunk-rows) or a file fitted out of core (--out-of-core)';
  return new EnvironmentError(`out of memory: ${what} (${oneLine(message)}); ${advice}`, {
    cause: error,
    code: 'GPUSEG_OUT_OF_MEMORY',
  });
}

/** The process's virtual memory limit in bytes (RLIMIT_AS, `ulimit -v`), undefined when unlimited or unknown. */
export function virtualMemoryLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max address space'));
    const soft = line?.slice('Max address space'.length).trim().split(/\s+/)[0];
    const bytes = Number(soft);
    return soft === undefined || soft === 'unlimited' || !Number.isFinite(bytes)
      ? undefined
      : bytes;
  } catch {
    return undefined;
  }
}

/** Wraps anything thrown into a GpusegError, keeping typed ones as they are. */
export function asGpusegError(error: unknown): GpusegError {
  if (error instanceof GpusegError) return error;
  const memory = outOfMemory(error);
  if (memory) return memory;
  const full = diskFullReason(error);
  const message = error instanceof Error ? error.message : String(error);
  if (full)
    return new EnvironmentError(`${full}: ${message}`, { cause: error, code: 'GPUSEG_DISK_FULL' });
  return new InternalError(`internal error: ${message}`, { cause: error });
}

/** Whether GPUSEG_DEBUG asks for stacks: 1, true or yes (any case); 0, false, no or empty do not. */
export function debugEnabled(value: string | undefined = process.env.GPUSEG_DEBUG): boolean {
  if (value !== undefined && typeof value !== 'string')
    throw new UsageError(`value must be a string, got ${typeof value}`);
  return /^(1|true|yes)$/i.test(value?.trim() ?? '');
}

/** First line of a message, so that a CLI error is always one line. */
export function oneLine(message: string): string {
  if (typeof message !== 'string')
    throw new UsageError(`message must be a string, got ${typeof message}`);
  const line = message.split('\n').find((l) => l.trim().length > 0) ?? message;
  return line.trim();
}
