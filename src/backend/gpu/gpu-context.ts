import { DeviceError } from '../../errors.js';
import { injectedFault } from './fault-injection.js';
import type { AdapterDescription } from './adapter-description.js';
import { filterNativeStderr } from './native-stderr.js';

/**
 * Device ownership for the GPU backend: the Dawn instance, the adapter and the device.
 *
 * Root cause of the crashes noted in DESIGN.md (a futex abort or std::system_error while GPU work
 * was in flight, and a silent exit inside `await queue.onSubmittedWorkDone()`): the `GPU` object
 * returned by dawn.node's `create()` owns the native instance, but neither the adapter nor the
 * device keeps it alive, and dawn.node's event pump (AsyncRunner, which calls ProcessEvents from
 * setImmediate) holds only a raw pointer to it. When JavaScript drops its last reference to the
 * `GPU` object, a garbage collection frees the instance while the device still has work queued:
 * the next ProcessEvents touches freed mutexes (the abort), or the pump stops and the pending
 * promise can never settle, so Node finds its event loop empty and exits with status 0. A long
 * synchronous loop that allocates only made a collection likely at the wrong moment; blocking
 * itself is harmless. Reproduced deterministically with `--expose-gc` and `gc()` between submit
 * and await; test/process-lifetime.test.ts (running test/programs/gpu-lifetime.mjs) is the
 * regression test.
 *
 * The design: this module keeps the one `GPU` instance in a module-level variable for the life of
 * the process, and every GpuContext holds the instance and adapter strongly alongside its device.
 */
export type { AdapterDescription } from './adapter-description.js';

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

// Strong, process-lifetime references (see the comment above: this is the fix, not a cache).
let dawn: DawnModule | undefined;
let gpuInstance: GPU | undefined;
let loadFailure: string | undefined;

async function instance(): Promise<GPU | undefined> {
  if (gpuInstance) return gpuInstance;
  if (loadFailure) return undefined;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
    Object.assign(globalThis, dawn.globals);
    gpuInstance = dawn.create([]);
    return gpuInstance;
  } catch (error) {
    loadFailure = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return undefined;
  }
}

async function requestAdapter(): Promise<GPUAdapter | null> {
  if (injectedFault('no-adapter')) return null;
  const gpu = await instance();
  if (!gpu) return null;
  // Dawn's limit warnings on stderr are filtered out (native-stderr.ts).
  const hw = await filterNativeStderr(() =>
    gpu.requestAdapter({ powerPreference: 'high-performance' }),
  );
  if (hw) return hw;
  return filterNativeStderr(() => gpu.requestAdapter({ forceFallbackAdapter: true }));
}

function describe(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallback:
      (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
    features: [...adapter.features].sort(),
  };
}

/** The adapters Dawn offers (one per kind it finds), for `gpuseg devices`. */
export async function listAdapters(): Promise<{
  adapters: AdapterDescription[];
  note: string | undefined;
}> {
  const adapter = await requestAdapter();
  if (!adapter)
    return {
      adapters: [],
      note: loadFailure ? `WebGPU could not load: ${loadFailure}` : 'no WebGPU adapter found',
    };
  return { adapters: [describe(adapter)], note: undefined };
}

export function adapterName(a: AdapterDescription): string {
  const what = a.description || [a.vendor, a.architecture, a.device].filter(Boolean).join(' ');
  return a.isFallback ? `${what} (software)` : what;
}

/** An open device and everything that must outlive it. */
export class GpuContext {
  private lostInfo: string | undefined;
  /** Error scopes are a per-device stack: scoped work is serialised so concurrent fits never share one. */
  private lock: Promise<unknown> = Promise.resolve();

  private constructor(
    /** Held so the instance outlives the device (the crash fix above). */
    readonly gpu: GPU,
    readonly adapter: GPUAdapter,
    readonly device: GPUDevice,
    readonly description: AdapterDescription,
  ) {
    device.lost.then((info) => {
      this.lostInfo ??= `${info.reason}: ${info.message}`;
    });
    // Every piece of work runs inside error scopes (scoped()); an error outside them would only be
    // printed by Dawn to stderr. Listening keeps stderr to gpuseg's own one-line messages.
    device.addEventListener('uncapturederror', () => undefined);
  }

  /**
   * Opens the best adapter. `allowFallback` false refuses software adapters (what --backend auto
   * wants: the CPU backend is faster than a software GPU).
   */
  static async open(options: { allowFallback: boolean }): Promise<GpuContext> {
    const adapter = await requestAdapter();
    if (!adapter) {
      throw new DeviceError(
        (opt) =>
          `no GPU adapter found${loadFailure ? ` (WebGPU could not load: ${loadFailure})` : ''}; use ${opt('backend')} cpu, or install a Vulkan driver (see README, 'Software GPU')`,
        { reason: 'unavailable' },
      );
    }
    const description = describe(adapter);
    if (description.isFallback && !options.allowFallback) {
      throw new DeviceError(`only a software GPU adapter was found (${adapterName(description)})`, {
        reason: 'unavailable',
      });
    }
    const limits = adapter.limits;
    // The subgroups feature where the adapter has it, for the backends that ask for the kernels'
    // subgroup variants (GpuBackendOptions.subgroups, off by default since the H200 measurement;
    // program.ts); GPUSEG_NO_SUBGROUPS=1 leaves it off, to rule it out when a driver misbehaves.
    const subgroups = adapter.features.has('subgroups') && process.env.GPUSEG_NO_SUBGROUPS !== '1';
    const device = await adapter
      .requestDevice({
        label: 'gpuseg',
        requiredFeatures: subgroups ? ['subgroups' as GPUFeatureName] : [],
        requiredLimits: {
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
        },
      })
      .catch((error: unknown) => {
        throw new DeviceError(
          `could not open the GPU (${adapterName(description)}): ${(error as Error).message}`,
          { reason: 'unavailable', cause: error },
        );
      });
    return new GpuContext((await instance())!, adapter, device, description);
  }

  get name(): string {
    return adapterName(this.description);
  }

  /** The device was opened with subgroup operations. */
  get hasSubgroups(): boolean {
    return this.device.features.has('subgroups');
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  get isLost(): boolean {
    return this.lostInfo !== undefined;
  }

  /** Throws a DeviceError when the device is gone; call before each piece of work. */
  checkAlive(): void {
    if (this.lostInfo !== undefined)
      throw new DeviceError(`GPU device lost (${this.lostInfo})`, { reason: 'lost' });
  }

  /**
   * Runs `work` (which encodes and submits) inside validation, out-of-memory and internal error
   * scopes, awaits what it returns, and turns any GPU error into a DeviceError naming `label`.
   */
  scoped<T>(label: string, work: () => Promise<T> | T): Promise<T> {
    const run = this.lock.then(() => this.scopedNow(label, work));
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async scopedNow<T>(label: string, work: () => Promise<T> | T): Promise<T> {
    this.checkAlive();
    const device = this.device;
    device.pushErrorScope('internal');
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let result: T | undefined;
    let thrown: unknown;
    try {
      result = await work();
    } catch (error) {
      thrown = error;
    }
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    const internal = await device.popErrorScope();
    this.checkAlive();
    if (oom)
      throw new DeviceError(`GPU out of memory during ${label}: ${oom.message.split('\n')[0]}`, {
        reason: 'out-of-memory',
      });
    if (validation)
      throw new DeviceError(`GPU rejected ${label}: ${validation.message.split('\n')[0]}`, {
        reason: 'validation',
      });
    if (internal)
      throw new DeviceError(
        `GPU internal error during ${label}: ${internal.message.split('\n')[0]}`,
        { reason: 'internal' },
      );
    if (thrown !== undefined) {
      if (thrown instanceof DeviceError) throw thrown;
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      if (this.lostInfo !== undefined)
        throw new DeviceError(`GPU device lost during ${label} (${this.lostInfo})`, {
          reason: 'lost',
          cause: thrown,
        });
      throw new DeviceError(`GPU failure during ${label}: ${message.split('\n')[0]}`, {
        reason: 'internal',
        cause: thrown,
      });
    }
    return result as T;
  }

  /** Loses the device for real (fault injection): later work fails as after a driver reset. */
  loseDevice(why: string): void {
    this.lostInfo ??= `destroyed: ${why}`;
    this.device.destroy();
  }

  /** Destroys the device (its buffers go with it). The instance stays for the next context. */
  destroy(): void {
    this.device.destroy();
  }
}

let shared: { ctx: Promise<GpuContext>; allowFallback: boolean } | undefined;

/**
 * The process's shared device (opened on first use, reopened after a loss), for GpuBackend.create.
 */
export async function sharedContext(allowFallback: boolean): Promise<GpuContext> {
  if (shared && shared.allowFallback === allowFallback) {
    const ctx = await shared.ctx.catch(() => undefined);
    if (ctx && !ctx.isLost) return ctx;
  }
  // A context of the other kind (or a lost one) is dropped, not destroyed: a backend may still hold it.
  const opening = GpuContext.open({ allowFallback });
  shared = { ctx: opening, allowFallback };
  opening.catch(() => {
    if (shared?.ctx === opening) shared = undefined;
  });
  return opening;
}

/** Closes the shared GPU device, if open (the next GPU backend opens a new one). */
export async function closeSharedGpu(): Promise<void> {
  const s = shared;
  shared = undefined;
  const ctx = s ? await s.ctx.catch(() => undefined) : undefined;
  ctx?.destroy();
}
