// `focuslite` command line: one file per subcommand under ./commands, all sharing src/slide and src/focus.
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  score: async () => (await import('./commands/score.ts')).default,
  'build-model': async () => (await import('./commands/build-model.ts')).default,
  train: async () => (await import('./commands/train.ts')).default,
  eval: async () => (await import('./commands/eval.ts')).default,
  scan: async () => (await import('./commands/scan.ts')).default,
  'demo-slide': async () => (await import('./commands/demo-slide.ts')).default,
};

function help(): string {
  return [
    'focuslite — FocusLiteNN focus quality for whole-slide images',
    '',
    'Commands:',
    ...Object.keys(commands).map((name) => `  focuslite ${name}`),
    '',
    'Run `focuslite COMMAND --help` for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`focuslite: unknown command '${name}'.\n\n${help()}`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    console.error(`focuslite ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
