import type { Command } from '../main.ts';

// Placeholder while the command is being written; replaced by its implementation.
const command: Command = {
  summary: 'focuslite demo-slide (not written yet)',
  usage: 'focuslite demo-slide',
  async run() {
    console.error('focuslite demo-slide: not implemented yet');
    return 2;
  },
};
export default command;
