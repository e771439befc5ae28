import { Command } from 'commander';
import {
  checkDistinctFiles,
  checkOutputPath,
  checkProfilePath,
  COMMON_PARAMETERS,
  parameter,
  profileSegments,
  profilesText,
  writeProfiles,
  type ThousandsSeparator,
} from '../../index.js';
import { addParameterOptions } from '../options.js';
import { printResult } from '../terminal.js';

interface ProfileFlags {
  segments: string;
  features?: string[];
  profile?: string[];
  id?: string;
  thousands?: ThousandsSeparator | 'none';
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
    parameter(COMMON_PARAMETERS, 'thousands'),
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
      checkDistinctFiles(
        [
          { path: input, flag: 'input' },
          { path: flags.segments, flag: '--segments' },
          { path: flags.names, flag: '--names' },
        ],
        [{ path: flags.output, flag: '--output' }],
      );
      const { profiles } = await profileSegments(input, flags.segments, {
        id: flags.id,
        thousands: flags.thousands,
        features: flags.features,
        profile: flags.profile,
        names: flags.names,
        personas: flags.personas,
      });
      if (flags.output) writeProfiles(flags.output, profiles);
      printResult(profilesText(profiles));
    });
  return command;
}
