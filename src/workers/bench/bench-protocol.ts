// Messages between the page and a bench worker (npm run bench:scan), apart from the production slide protocol.
import type { ModelRef } from '../../focus/model-card.ts';
import type { SlideInput } from '../slide-protocol.ts';
import type { BenchRequest, BenchResult } from './bench-stages.ts';

export type BenchWorkerRequest =
  /** Open the slide and load the model, so that stages time only their own work. */
  | { type: 'open'; input: SlideInput; model: ModelRef }
  | { type: 'run'; id: number; request: BenchRequest }
  | { type: 'cancel'; id: number };

export type BenchWorkerResponse =
  | { type: 'opened' }
  | { type: 'open-failed'; message: string }
  | { type: 'done'; id: number; result: BenchResult }
  | { type: 'failed'; id: number; message: string };
