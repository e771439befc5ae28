/**
 * A test seam for GPU faults that cannot be provoked on demand on real hardware. The environment
 * variable GPUSEG_FAULT lists faults, comma-separated:
 *   no-adapter          requestAdapter finds nothing
 *   lose-device@N       the device is destroyed (a real loss) before the N-th GPU pass (1-based)
 *   oom@N               the N-th buffer allocation reports out-of-memory
 *   bad-shader          the Lloyd kernel is compiled from invalid WGSL (a real validation error)
 * Nothing here is read unless the variable is set.
 */
const counters = new Map<string, number>();

function faults(): string[] {
  const spec = process.env.GPUSEG_FAULT;
  return spec ? spec.split(',').map((s) => s.trim()) : [];
}

/** True when the plain fault `name` is requested. */
export function injectedFault(name: string): boolean {
  return faults().includes(name);
}

/** Counts an event `name`; true when a fault `name@N` asks to fail at this count. */
export function injectedFaultAtCount(name: string): boolean {
  const spec = faults().find((f) => f.startsWith(`${name}@`));
  if (!spec) return false;
  const at = Number(spec.slice(name.length + 1));
  const count = (counters.get(name) ?? 0) + 1;
  counters.set(name, count);
  return count === at;
}
