import { describe, expect, it } from 'vitest';
import { bestThreshold, verdictMarkdown, type VerdictReport } from './verdicts.ts';

describe('verdict evidence', () => {
  it('picks the threshold with the best balanced accuracy', () => {
    expect(bestThreshold([5, 6, 7], [1, 2, 3])).toBe(4);
    expect(bestThreshold([2, 6, 7], [1, 3, 4])).toBe(5);
  });

  it('writes the three verdict tables', () => {
    const r: VerdictReport = {
      defocusDescription: 'toy tissue',
      rows: [
        {
          model: 'ours',
          group: 'ours',
          threshold: -9,
          thresholdSource: 'card',
          calledBySigma: { '0': 0, '1.5': 0.1, '3': 0.9, '6': 1 },
          detection: 0.95,
          falseAlarms: 0,
          real: [{ file: 'a.png', outOfFocus: true, imageScore: -10, verdict: 'in-focus', patchesRight: 0.25 }],
          slides: [{ slide: 'x.svs', percent: 4.7, verdict: 'pass', tissueCells: 10 }],
        },
      ],
    };
    const md = verdictMarkdown(r);
    expect(md).toContain('| **ours** | -9.0000 | 0.0 % | 10.0 % | 90.0 % | 100.0 % | 95.0 % |');
    expect(md).toContain('| **ours** | ✗ in-focus, 25.0 % right |');
    expect(md).toContain('| **ours** | 4.7 % PASS (10 cells) |');
  });
});
