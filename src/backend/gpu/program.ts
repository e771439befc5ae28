import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../util/package-root.js';
import { injectedFault } from './fault-injection.js';

/**
 * Kernels as programs: a WGSL file from shaders/ plus the compile-time constants it is specialised
 * for (workgroup size, K, D, ...), prepended as `const NAME: u32 = ...u;`. Only compile-time
 * choices go into the text and the cache key; sizes that vary per call travel as uniforms.
 */
export interface ProgramSpec {
  shader: string;
  constants: Readonly<Record<string, number>>;
}

const sources = new Map<string, string>();

/**
 * A kernel's WGSL with its `// #include "lib/….wgsl"` lines replaced by those files (WGSL has no
 * imports; helpers shared by several kernels live once in shaders/lib/). For a device with
 * subgroups, a helper's `lib/name.subgroups.wgsl` variant replaces `lib/name.wgsl` where there is
 * one: the variants keep their portable twin's contract and results, only the work differs.
 */
function shaderFile(name: string, subgroups: boolean): string {
  const key = `${name}${subgroups ? '+subgroups' : ''}`;
  let text = sources.get(key);
  if (text === undefined) {
    const root = join(packageRoot(), 'shaders');
    const read = (file: string) => readFileSync(join(root, file), 'utf8');
    const variant = (file: string) => {
      const alternative = file.replace(/\.wgsl$/, '.subgroups.wgsl');
      return subgroups && existsSync(join(root, alternative)) ? alternative : file;
    };
    text = read(`${name}.wgsl`).replace(
      /^\/\/ #include "([\w/.-]+\.wgsl)"$/gm,
      (_line, file: string) => read(variant(file)),
    );
    sources.set(key, text);
  }
  return text;
}

/**
 * How a device runs programs: with subgroup operations (WGSL `enable subgroups`, the helpers'
 * subgroup variants) or portably.
 */
export interface ProgramTarget {
  subgroups: boolean;
}

const PORTABLE: ProgramTarget = { subgroups: false };

function programKey(spec: ProgramSpec): string {
  const constants = Object.keys(spec.constants)
    .sort()
    .map((k) => `${k}=${spec.constants[k]}`)
    .join(',');
  return `${spec.shader}[${constants}]`;
}

function shaderText(spec: ProgramSpec, target: ProgramTarget = PORTABLE): string {
  // The subgroup variants call subgroup operations where every invocation of a subgroup is
  // active but the uniformity analysis cannot see it (after a subgroupAll): they say so once here.
  const directives = target.subgroups
    ? 'enable subgroups;\ndiagnostic(off, subgroup_uniformity);\n'
    : '';
  const header = Object.entries(spec.constants)
    .map(([name, value]) => `const ${name}: u32 = ${value >>> 0}u;`)
    .join('\n');
  const broken =
    injectedFault('bad-shader') && spec.shader === 'lloyd' ? '\nthis is not WGSL;\n' : '';
  return `${directives}${header}\n${broken}${shaderFile(spec.shader, target.subgroups)}`;
}

/** Compute pipelines by program key, each labelled with its key so that GPU errors name it. */
export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  constructor(
    private readonly device: GPUDevice,
    readonly target: ProgramTarget = PORTABLE,
  ) {}

  get(spec: ProgramSpec): GPUComputePipeline {
    const key = `${programKey(spec)}${this.target.subgroups ? '+subgroups' : ''}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      const module = this.device.createShaderModule({
        label: key,
        code: shaderText(spec, this.target),
      });
      pipeline = this.device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }
}

/**
 * A uniform block of u32 fields in declaration order, padded to 16 bytes as WGSL's uniform
 * layout requires; the WGSL struct beside each kernel lists the same fields in the same order.
 */
export function uniformWords(fields: readonly number[]): Uint32Array {
  const words = new Uint32Array(Math.max(4, Math.ceil(fields.length / 4) * 4));
  fields.forEach((v, i) => {
    words[i] = v >>> 0;
  });
  return words;
}

/** A binding of a kernel: a whole buffer, or its first `size` bytes. */
type Binding = GPUBuffer | { buffer: GPUBuffer; size: number };

/**
 * Sets `pipeline` on `pass`, binds `bindings` as group 0 (binding i = bindings[i], in the order of
 * the kernel's @binding declarations) and dispatches `workgroups` (x, or [x, y]).
 */
export function dispatch(
  device: GPUDevice,
  pass: GPUComputePassEncoder,
  pipeline: GPUComputePipeline,
  label: string,
  bindings: readonly Binding[],
  workgroups: number | readonly [number, number],
): void {
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      label,
      layout: pipeline.getBindGroupLayout(0),
      entries: bindings.map((b, binding) => ({
        binding,
        resource: 'buffer' in b ? b : { buffer: b },
      })),
    }),
  );
  if (typeof workgroups === 'number') pass.dispatchWorkgroups(workgroups);
  else pass.dispatchWorkgroups(workgroups[0], workgroups[1]);
}
