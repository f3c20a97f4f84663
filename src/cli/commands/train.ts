import type { Command } from '../main.ts';

// Placeholder while the command is being written; replaced by its implementation.
const command: Command = {
  summary: 'focuslite train (not written yet)',
  usage: 'focuslite train',
  async run() {
    console.error('focuslite train: not implemented yet');
    return 2;
  },
};
export default command;
