import { Option, type Command } from 'commander';
import { checkParameter, type ParameterSpec } from '../index.js';

/**
 * Adds the commander options of a parameter table (the table is the one source of flags, help
 * and defaults). Each value is parsed and checked by the table as commander reads it, so a bad
 * one stops the command before any work with an error naming the flag; the action receives
 * typed values under the API's option names (commander's attribute name of each flag).
 */
export function addParameterOptions(
  command: Command,
  specs: readonly ParameterSpec[],
  required: readonly string[] = [],
): Command {
  for (const spec of specs) {
    const defaultText = spec.default !== undefined ? ` (default: ${spec.default})` : '';
    const option = new Option(spec.flag, spec.description + defaultText);
    if (spec.choices) option.choices([...spec.choices]);
    option.argParser((value: string) => checkParameter(spec, value));
    if (required.includes(spec.name)) option.makeOptionMandatory();
    command.addOption(option);
  }
  return command;
}
