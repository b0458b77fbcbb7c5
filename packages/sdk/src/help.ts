import type { OptionSpec } from './arguments.js';
import type { Command } from './command.js';

function optionNames(name: string, spec: OptionSpec): string {
  const names = [spec.short ? `-${spec.short}` : undefined, name.length > 1 ? `--${name}` : undefined].filter(Boolean).join(', ');
  return spec.type === 'string' ? `${names} ${spec.valueName ?? 'VALUE'}${spec.multiple ? ' ...' : ''}` : names;
}

export function commandHelp(command: Command): string {
  const options = Object.entries(command.options).map(([name, spec]) => `  ${optionNames(name, spec)}\n      ${spec.description}`);
  const sections = [`Usage: blazefleet ${command.usage}`, command.summary, `Options:\n${options.join('\n')}`];
  if (command.details) sections.push(command.details());
  return `${sections.join('\n\n')}\n`;
}

export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 'help'.length) + 2;
  const rows = commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  rows.push(`  ${'help'.padEnd(width)}Show help for a command: blazefleet help train`);
  return (
    'Usage: blazefleet <command> [options]\n\n' +
    'Self-hosted BlazingText-compatible training of text models.\n\n' +
    `Commands:\n${rows.join('\n')}\n\n` +
    'Options:\n  -h, --help     Show help (also after a command)\n  --version      Print the version\n'
  );
}
