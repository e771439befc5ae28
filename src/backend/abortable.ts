import { throwIfAborted } from '../errors.js';
import type { Backend } from './backend.js';

/**
 * The backend with `signal` checked before every pass (each method call): an operation is
 * cancelled between passes, never inside one, so a pass's buffers are never left half-written.
 * detach() and dispose() are never refused, so that a cancelled run still releases what it holds.
 */
export function abortable(backend: Backend, signal: AbortSignal | undefined): Backend {
  if (!signal) return backend;
  return new Proxy(backend, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      // Called on the backend itself, so that its own calls to its methods are never refused.
      const method = (value as (...a: unknown[]) => unknown).bind(target);
      if (property === 'dispose' || property === 'detach') return method;
      return (...args: unknown[]): unknown => {
        throwIfAborted(signal);
        return method(...args);
      };
    },
  });
}
