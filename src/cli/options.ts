import { Option, type Command } from 'commander';
import type { ParameterSpec } from '../api/parameters.js';

/** Adds the commander options of a parameter table (the table is the one source of flags and defaults). */
export function addParameterOptions(
  command: Command,
  specs: readonly ParameterSpec[],
  required: readonly string[] = [],
): Command {
  for (const spec of specs) {
    const defaultText = spec.default !== undefined ? ` (default: ${spec.default})` : '';
    const option = new Option(spec.flag, spec.description + defaultText);
    if (spec.choices) option.choices([...spec.choices]);
    if (required.includes(spec.name)) option.makeOptionMandatory();
    command.addOption(option);
  }
  return command;
}
