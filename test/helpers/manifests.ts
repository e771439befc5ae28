import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { ROOT } from './cli.js';

/**
 * The Kubernetes manifests of deploy/kubernetes as typed objects, for test/deploy-manifests.test.ts.
 * Only the fields the test reads are typed; a missing one is undefined and the test says so.
 */

export const DEPLOY = join(ROOT, 'deploy');
export const MANIFESTS = join(DEPLOY, 'kubernetes');

export interface EnvVar {
  name: string;
  value?: string;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  resources?: {
    requests?: Record<string, string | number>;
    limits?: Record<string, string | number>;
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface PodSpec {
  restartPolicy?: string;
  securityContext?: { runAsUser?: number; runAsGroup?: number; fsGroup?: number };
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; effect?: string }[];
  initContainers?: Container[];
  containers: Container[];
  volumes?: {
    name: string;
    persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  }[];
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: PodSpec;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: {
    // Job
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    backoffLimit?: number;
    // Deployment
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> } | Record<string, string>;
    template?: PodTemplate;
    // Service
    ports?: { name?: string; port: number; targetPort?: number | string }[];
    // PersistentVolumeClaim
    accessModes?: string[];
  };
  // Kustomization
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

export interface ManifestFile {
  file: string;
  docs: Manifest[];
}

/** Every .yaml/.yml file under deploy/kubernetes, each document parsed (empty documents dropped). */
export function loadManifests(): ManifestFile[] {
  return readdirSync(MANIFESTS)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((file) => {
      const docs = loadAll(readFileSync(join(MANIFESTS, file), 'utf8')).filter(
        (d): d is object => d !== null && d !== undefined,
      );
      for (const d of docs) {
        const m = d as Partial<Manifest>;
        if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string') {
          throw new Error(`${file}: a document without apiVersion and kind`);
        }
      }
      return { file, docs: docs as Manifest[] };
    });
}

/** The value after `flag` in an argument list (undefined when the flag is absent or last). */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : undefined;
}

/** The flags (--name) in an argument list, in order. */
export function flagsOf(args: readonly string[]): string[] {
  return args.filter((a) => a.startsWith('--'));
}

/** Every container of a pod, init containers first. */
export function containersOf(pod: PodSpec): Container[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

/** Every string a container is started with: command, args and env values. */
export function stringsOf(c: Container): string[] {
  return [
    ...(c.command ?? []),
    ...(c.args ?? []),
    ...(c.env ?? []).flatMap((e) => (e.value === undefined ? [] : [e.value])),
  ];
}

/**
 * The README's table of the flags used on the cluster ('Running past one machine (Kubernetes)'):
 * command ('worker' | 'fit') → flag → the table's third cell (what the manifests pass).
 */
export function readmeFlags(readme: string): Map<string, Map<string, string>> {
  const start = readme.indexOf('\n## Running past one machine (Kubernetes)\n');
  if (start < 0) throw new Error("README: no section 'Running past one machine (Kubernetes)'");
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const table = new Map<string, Map<string, string>>();
  for (const m of section.matchAll(/^\| `gpuseg (\w+)` \| `(--[a-z][a-z-]*)[^|]*\| (.*) \|$/gm)) {
    const [, command, flag, cell] = m;
    if (!table.has(command)) table.set(command, new Map());
    table.get(command)!.set(flag, cell);
  }
  return table;
}
