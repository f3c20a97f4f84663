import type { Command } from '../main.ts';

// Placeholder while the command is being written; replaced by its implementation.
const command: Command = {
  summary: 'focuslite score (not written yet)',
  usage: 'focuslite score',
  async run() {
    console.error('focuslite score: not implemented yet');
    return 2;
  },
};
export default command;
