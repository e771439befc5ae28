import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BIN, ROOT } from './helpers/cli.js';
import {
  containersOf,
  DEPLOY,
  flagsOf,
  flagValue,
  loadManifests,
  readmeFlags,
  stringsOf,
  type Container,
  type Manifest,
  type PodSpec,
} from './helpers/manifests.js';

/**
 * deploy/kubernetes against the sharded fit's contract (issue 20) and against the README: the
 * manifests are never applied to a cluster here, so this is what keeps them honest. Renaming a
 * flag, a Service or a claim in one place only makes a case fail. The coordinator's model flags
 * are checked against the built CLI (dist/: `npm run build` first).
 */

const files = loadManifests();
const docs = files.flatMap((f) => f.docs);
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const documented = readmeFlags(readme);
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

const API_VERSIONS: Record<string, string> = {
  Job: 'batch/v1',
  Deployment: 'apps/v1',
  Service: 'v1',
  PersistentVolumeClaim: 'v1',
  Kustomization: 'kustomize.config.k8s.io/v1beta1',
};

const jobs = docs.filter((d) => d.kind === 'Job');
/** The Job whose main container runs `gpuseg <command>`, exactly one. */
function jobRunning(command: string): { job: Manifest; pod: PodSpec; main: Container } {
  const found = jobs.filter((j) => j.spec?.template?.spec.containers[0]?.args?.[0] === command);
  expect(
    found.map((j) => j.metadata.name),
    `Jobs running gpuseg ${command}`,
  ).toHaveLength(1);
  const pod = found[0].spec!.template!.spec;
  return { job: found[0], pod, main: pod.containers[0] };
}
const workers = jobRunning('worker');
const coordinator = jobRunning('fit');

const services = docs.filter((d) => d.kind === 'Service');
const deployments = docs.filter((d) => d.kind === 'Deployment');
const redis = deployments.find((d) =>
  d.spec?.template?.spec.containers.some((c) => c.args?.[0] === 'redis-server'),
);
/** The Service whose selector picks the Redis Deployment's pods. */
const redisService = services.find((s) => {
  const selector = s.spec?.selector as Record<string, string> | undefined;
  const labels = redis?.spec?.template?.metadata?.labels ?? {};
  return selector && Object.entries(selector).every(([k, v]) => labels[k] === v);
});

function gpus(c: Container, side: 'requests' | 'limits'): number {
  return Number(c.resources?.[side]?.['nvidia.com/gpu'] ?? 0);
}

/** The claim mounted at the folder that holds `path` in this pod, with the mount. */
function claimFor(pod: PodSpec, c: Container, path: string) {
  const mount = (c.volumeMounts ?? []).find((m) => path.startsWith(m.mountPath + '/'));
  const volume = pod.volumes?.find((v) => v.name === mount?.name);
  const claim = docs.find(
    (d) =>
      d.kind === 'PersistentVolumeClaim' &&
      d.metadata.name === volume?.persistentVolumeClaim?.claimName,
  );
  return { mount, volume, claim };
}

describe('deploy/kubernetes', () => {
  test('every document has the current API version of its kind', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const d of docs)
      expect(`${d.kind} ${d.apiVersion}`).toBe(`${d.kind} ${API_VERSIONS[d.kind]}`);
  });

  test('the kustomization lists every manifest file, and names the image the Jobs run', () => {
    const kustomization = docs.find((d) => d.kind === 'Kustomization')!;
    expect(kustomization).toBeDefined();
    const others = files.filter((f) => !f.docs.some((d) => d.kind === 'Kustomization'));
    expect([...(kustomization.resources ?? [])].sort()).toEqual(others.map((f) => f.file).sort());
    for (const { main } of [workers, coordinator]) {
      expect(kustomization.images?.map((i) => i.name)).toContain(main.image);
    }
  });

  test('the workers are an Indexed Job, one pod per shard, the index being the shard', () => {
    const spec = workers.job.spec!;
    expect(spec.completionMode).toBe('Indexed');
    expect(Number.isInteger(spec.completions) && spec.completions! >= 1).toBe(true);
    expect(spec.parallelism).toBe(spec.completions);
    const args = workers.main.args!;
    expect(args[0]).toBe('worker');
    expect(flagValue(args, '--redis')).toMatch(/^redis:\/\//);
    expect(flagValue(args, '--index')).toBe('$(JOB_COMPLETION_INDEX)');
    expect(flagValue(args, '--shards')).toBeDefined();
    expect(spec.backoffLimit).toBeGreaterThanOrEqual(1);
  });

  test('each worker asks for one GPU and is placed on GPU nodes; the coordinator asks for none', () => {
    expect(gpus(workers.main, 'requests')).toBe(1);
    expect(gpus(workers.main, 'limits')).toBe(1);
    const placed =
      Object.keys(workers.pod.nodeSelector ?? {}).length > 0 &&
      (workers.pod.tolerations ?? []).some((t) => t.key === 'nvidia.com/gpu');
    expect(placed, 'a node selector and an nvidia.com/gpu toleration').toBe(true);
    expect(gpus(coordinator.main, 'requests') + gpus(coordinator.main, 'limits')).toBe(0);
  });

  test('every container states its CPU and memory requests and limits', () => {
    for (const d of docs) {
      for (const c of d.spec?.template ? containersOf(d.spec.template.spec) : []) {
        for (const side of ['requests', 'limits'] as const) {
          for (const r of ['cpu', 'memory']) {
            expect(
              c.resources?.[side]?.[r],
              `${d.metadata.name}/${c.name} ${side}.${r}`,
            ).toBeDefined();
          }
        }
      }
    }
  });

  test('the coordinator runs fit --redis --run-id on the workers’ shards, and is retried', () => {
    const args = coordinator.main.args!;
    expect(args[0]).toBe('fit');
    expect(flagValue(args, '--redis')).toBe(flagValue(workers.main.args!, '--redis'));
    expect(flagValue(args, '--run-id')).toMatch(/^[A-Za-z0-9][\w.-]*$/);
    expect(flagValue(args, '--shards')).toBe(flagValue(workers.main.args!, '--shards'));
    // Resume needs a retried pod: the same template, hence the same --run-id.
    expect(coordinator.job.spec!.backoffLimit).toBeGreaterThanOrEqual(1);
    expect(coordinator.job.spec!.completionMode ?? 'NonIndexed').toBe('NonIndexed');
  });

  test('shards are read from a ReadOnlyMany claim, outputs written to a ReadWriteMany claim', () => {
    const glob = flagValue(workers.main.args!, '--shards')!;
    const output = flagValue(coordinator.main.args!, '--output')!;
    expect(output).toBeDefined();
    for (const { pod, main } of [workers, coordinator]) {
      const shards = claimFor(pod, main, glob);
      expect(shards.mount?.readOnly, `${main.name}: shard mount read-only`).toBe(true);
      expect(shards.claim?.spec?.accessModes).toEqual(['ReadOnlyMany']);
      // Workers write OUT.shard-N.arrow beside OUT: the same claim, at the same folder.
      const out = claimFor(pod, main, posix.dirname(output) + '/x');
      expect(out.mount?.readOnly ?? false, `${main.name}: output mount writable`).toBe(false);
      expect(out.claim?.spec?.accessModes).toEqual(['ReadWriteMany']);
      expect(out.claim?.metadata.name).toBe(
        claimFor(coordinator.pod, coordinator.main, output).claim?.metadata.name,
      );
    }
  });

  test('Redis evicts nothing: maxmemory-policy noeviction, and a memory limit above maxmemory', () => {
    expect(redis, 'a Deployment running redis-server').toBeDefined();
    const c = redis!.spec!.template!.spec.containers[0];
    expect(flagValue(c.args!, '--maxmemory-policy')).toBe('noeviction');
    expect(flagValue(c.args!, '--maxmemory')).toBeDefined();
    expect(redis!.spec!.replicas).toBe(1);
  });

  test('every Redis URL a pod uses is the in-cluster Service in front of that Deployment', () => {
    expect(redisService, 'a Service selecting the Redis pods').toBeDefined();
    const redisContainer = redis!.spec!.template!.spec.containers[0];
    const port = redisService!.spec!.ports![0];
    const target = redisContainer.ports?.find(
      (p) => p.name === port.targetPort || p.containerPort === port.targetPort,
    );
    expect(target, 'the Service targets the Redis container port').toBeDefined();
    expect(flagValue(redisContainer.args!, '--port')).toBe(String(target!.containerPort));
    const expected = `redis://${redisService!.metadata.name}:${port.port}`;
    const urls = jobs.flatMap((j) =>
      containersOf(j.spec!.template!.spec).flatMap((c) =>
        stringsOf(c).flatMap((s) => [...s.matchAll(/redis:\/\/[^\s'"]+/g)].map((m) => m[0])),
      ),
    );
    // Both Jobs' main containers and their wait-for-redis init containers.
    expect(urls.length).toBeGreaterThanOrEqual(4);
    for (const url of urls) expect(url).toBe(expected);
    expect(documented.get('worker')?.get('--redis')).toContain(`\`${expected}\``);
  });

  test('every flag the manifests pass is one the README documents for that command, and back', () => {
    for (const { main } of [workers, coordinator]) {
      const command = main.args![0];
      const table = documented.get(command);
      expect(table, `README table rows for gpuseg ${command}`).toBeDefined();
      const used = flagsOf(main.args!);
      for (const flag of used)
        expect([...table!.keys()], `gpuseg ${command} ${flag}`).toContain(flag);
      const documentedAsUsed = [...table!].filter(([, cell]) => !cell.startsWith('not used'));
      expect(used.slice().sort()).toEqual(documentedAsUsed.map(([flag]) => flag).sort());
    }
    expect(documented.get('worker')?.get('--index')).toContain('`$(JOB_COMPLETION_INDEX)`');
    const glob = flagValue(workers.main.args!, '--shards')!;
    expect(documented.get('worker')?.get('--shards')).toContain(`\`${glob}\``);
  });

  test('the coordinator’s model flags are today’s `gpuseg fit` flags', () => {
    // The sharded fit's own flags (issue 20) come with the engine; every other flag the
    // coordinator passes must be spelled as `gpuseg fit --help` spells it now.
    const sharding = new Set(['--redis', '--shards', '--run-id', '--worker-timeout']);
    const help = spawnSync(process.execPath, [BIN, 'fit', '--help'], { encoding: 'utf8' }).stdout;
    const model = flagsOf(coordinator.main.args!).filter((f) => !sharding.has(f));
    expect(model).toEqual(expect.arrayContaining(['--k', '--output']));
    for (const flag of model) expect(help, `gpuseg fit ${flag}`).toMatch(new RegExp(`${flag}\\b`));
  });

  test('the image runs the package’s gpuseg bin, on Node 20 with the Vulkan loader', () => {
    const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    const entry = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile);
    expect(entry, 'an exec-form ENTRYPOINT').not.toBeNull();
    const [node, script] = JSON.parse(entry![1]) as string[];
    expect(node).toBe('node');
    const workdir = /^WORKDIR (\S+)$/gm;
    const dirs = [...dockerfile.matchAll(workdir)].map((m) => m[1]);
    expect(script).toBe(posix.join(dirs[dirs.length - 1], packageJson.bin.gpuseg));
    expect(dockerfile).toMatch(/^FROM node:20-[\w.-]*slim\b/m);
    expect(dockerfile).toMatch(/\blibvulkan1\b/);
    expect(dockerfile).toMatch(/NVIDIA_DRIVER_CAPABILITIES=\S*\bgraphics\b/);
    // Pruning the dev dependencies must keep the peers the package runs with (apache-arrow).
    if (/--omit=dev/.test(dockerfile)) {
      for (const peer of Object.keys(packageJson.peerDependencies ?? {})) {
        expect(dockerfile, peer).toContain(`"dependencies.${peer}=`);
      }
    }
    // The official node images' user `node` is uid 1000: the Jobs' pods run as it, and their
    // fsGroup lets it write the output volume.
    expect(dockerfile).toMatch(/^USER node$/m);
    for (const { pod } of [workers, coordinator]) {
      expect(pod.securityContext).toEqual({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    }
  });
});
