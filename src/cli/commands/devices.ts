import { Command } from 'commander';
import { listDevices } from '../../index.js';
import { printResult } from '../terminal.js';

export function devicesCommand(): Command {
  return new Command('devices')
    .description('list the GPU adapters WebGPU finds, and the CPU')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const list = await listDevices();
      if (flags.json) return printResult(JSON.stringify(list));
      const lines = list.gpus.map(
        (g) =>
          `gpu  ${g.name}  [${g.vendor}/${g.architecture}]  max binding ${(g.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB${g.usedByAuto ? '' : '  (software: used only with --backend gpu)'}`,
      );
      if (list.gpus.length === 0) lines.push(`gpu  none (${list.note ?? 'no adapter'})`);
      lines.push(`cpu  ${list.cpu.threads} threads`);
      printResult(lines.join('\n'));
    });
}
