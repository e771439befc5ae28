import { availableParallelism } from 'node:os';
import type { AdapterDescription } from '../backend/gpu/adapter-description.js';
import { adapterName, listAdapters } from '../backend/gpu/gpu-context.js';

export interface DeviceList {
  gpus: (AdapterDescription & { name: string; usedByAuto: boolean })[];
  cpu: { threads: number };
  /** Why no GPU is listed, when none is. */
  note: string | undefined;
}

/** The GPU adapters Dawn finds and the CPU, as `gpuseg devices` prints them. */
export async function listDevices(): Promise<DeviceList> {
  const { adapters, note } = await listAdapters();
  return {
    gpus: adapters.map((a) => ({ ...a, name: adapterName(a), usedByAuto: !a.isFallback })),
    cpu: { threads: availableParallelism() },
    note,
  };
}
