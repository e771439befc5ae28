import { Command } from 'commander';
import { describeSegments } from '../../api/describe.js';
import { loadInput } from '../../api/input.js';
import { COMMON_PARAMETERS, parameter } from '../../api/parameters.js';
import { resolveRoles } from '../../data/schema.js';
import { InputError } from '../../errors.js';
import { profilesText } from '../../segment/profile.js';
import { checkOutputPath } from '../paths.js';
import { checkProfilePath, writeProfiles } from '../profile-output.js';
import { addParameterOptions } from '../options.js';
import { printResult } from '../terminal.js';

interface ProfileFlags {
  segments: string;
  features?: string[];
  profile?: string[];
  id?: string;
  names?: string;
  personas?: boolean;
  output?: string;
}

export function profileCommand(): Command {
  const command = new Command('profile')
    .description(
      'profile segments: size, share, mean and median of every column, relative importance and z-scores',
    )
    .argument('<input>', 'the table that was segmented (features and profile columns)')
    .requiredOption(
      '--segments <file>',
      'segments from gpuseg fit/segment --output (matched by id column, else by row order)',
    );
  addParameterOptions(command, [
    parameter(COMMON_PARAMETERS, 'features'),
    parameter(COMMON_PARAMETERS, 'profile'),
    parameter(COMMON_PARAMETERS, 'id'),
  ]);
  command
    .option(
      '--names <file>',
      'segment names (JSON or CSV), overriding names in the segments file and personas',
    )
    .option('--no-personas', 'do not name segments by persona rules')
    .option('--output <file>', 'write the profiles: .csv or .json')
    .action(async (input: string, flags: ProfileFlags) => {
      checkOutputPath(flags.output, '--output', false);
      checkProfilePath(flags.output, '--output');
      const table = await loadInput(input);
      const segs = await loadInput(flags.segments);
      const roles = resolveRoles(table, {
        id: flags.id,
        features: flags.features,
        profile: flags.profile,
      });
      const labelsColumn = segs.getChild('segment_id');
      if (!labelsColumn)
        throw new InputError(`--segments '${flags.segments}' has no segment_id column`);
      const labels = new Int32Array(table.numRows);
      const idColumn = roles.id !== undefined && segs.getChild(roles.id) ? roles.id : undefined;
      if (idColumn) {
        const byId = new Map<string, number>();
        const ids = segs.getChild(idColumn)!;
        for (let i = 0; i < segs.numRows; i++)
          byId.set(String(ids.get(i)), Number(labelsColumn.get(i)));
        const mine = table.getChild(idColumn)!;
        for (let i = 0; i < table.numRows; i++) {
          const l = byId.get(String(mine.get(i)));
          if (l === undefined)
            throw new InputError(
              `--segments: ${idColumn} ${String(mine.get(i))} (row ${i}) has no segment`,
            );
          labels[i] = l;
        }
      } else {
        if (segs.numRows !== table.numRows)
          throw new InputError(
            `--segments has ${segs.numRows} rows, the input ${table.numRows}, and no shared id column to match them`,
          );
        for (let i = 0; i < table.numRows; i++) labels[i] = Number(labelsColumn.get(i));
      }
      const k = Math.max(...labels) + 1;
      const nameColumn = segs.getChild('segment_name');
      let names: string[] | undefined;
      if (nameColumn) {
        names = Array.from({ length: k }, (_, c) => `Segment ${c}`);
        for (let i = 0; i < segs.numRows; i++)
          names[Number(labelsColumn.get(i))] = String(nameColumn.get(i));
      }
      const { profiles } = describeSegments(table, roles, labels, k, {
        names: flags.names ?? names,
        personas: flags.personas,
      });
      if (flags.output) writeProfiles(flags.output, profiles);
      printResult(profilesText(profiles));
    });
  return command;
}
