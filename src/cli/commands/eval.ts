import type { Command } from '../main.ts';

// Placeholder while the command is being written; replaced by its implementation.
const command: Command = {
  summary: 'focuslite eval (not written yet)',
  usage: 'focuslite eval',
  async run() {
    console.error('focuslite eval: not implemented yet');
    return 2;
  },
};
export default command;
