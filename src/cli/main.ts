// `focuslite` command line: one file per subcommand under ./commands, all sharing src/slide and src/focus.
import { EXIT, isUsageError } from './exit-codes.ts';

export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  score: async () => (await import('./commands/score.ts')).default,
  'build-model': async () => (await import('./commands/build-model.ts')).default,
  train: async () => (await import('./commands/train.ts')).default,
  calibrate: async () => (await import('./commands/calibrate.ts')).default,
  eval: async () => (await import('./commands/eval.ts')).default,
  scan: async () => (await import('./commands/scan.ts')).default,
  watch: async () => (await import('./commands/watch.ts')).default,
  report: async () => (await import('./commands/report.ts')).default,
  'demo-slide': async () => (await import('./commands/demo-slide.ts')).default,
  'tissue-mosaic': async () => (await import('./commands/tissue-mosaic.ts')).default,
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
    return name ? EXIT.ok : EXIT.usage;
  }
  const load = commands[name];
  if (!load) {
    console.error(`focuslite: unknown command '${name}'.\n\n${help()}`);
    return EXIT.usage;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (isUsageError(err)) {
      console.error(`focuslite ${name}: ${message}\n\nUsage: ${command.usage}`);
      return EXIT.usage;
    }
    console.error(`focuslite ${name}: ${message}`);
    return EXIT.failed;
  }
}
