// The training loop: mini-batches of packed samples, PLCC (or MSE) loss, Adam with step decay. Deterministic for a
// seed: batch order and initialisation come from the seed, and the forward results do not depend on the workers.
import { plcc, srcc } from '../eval/metrics.ts';
import { Adam, stepDecay } from './adam.ts';
import { SAMPLE_BYTES } from './image.ts';
import { lossFor, type LossKind } from './loss.ts';
import { accumulateGradient, headScore, initNet, offsets, parameterCount, TAPS, type Net } from './net.ts';
import type { Buffers, Pool } from './pool.ts';
import { hashSeed, Rng } from './rng.ts';

export interface TrainOptions {
  kernels: number;
  loss: LossKind;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Multiply the learning rate by lrGamma every lrStepEpochs epochs. */
  lrStepEpochs: number;
  lrGamma: number;
  seed: number;
  /** Validate every this many epochs (and after the last). 0 = only after the last. */
  validateEvery: number;
  /** Shuffle whole groups of this many consecutive samples (z-stacks), so a batch holds complete stacks. Default 1. */
  groupSize?: number;
  /**
   * Keep kernels zero-mean (projection after each step): per input channel, or over all three (grey), see
   * zeroMeanKernels. `focuslite train` uses grey by default (models/README.md compares the choices).
   */
  zeroMean?: 'channel' | 'grey';
  /**
   * Initialisations to try (default 1). Runs settle into their basin within a few epochs and stay there, and some
   * basins generalise markedly worse; so each start trains for `probeEpochs`, the one with the lowest validation loss
   * is kept, and it is trained from scratch for the full schedule (the result is exactly that start's single run).
   * Start 0 is the single run's initialisation.
   */
  starts?: number;
  /** Epochs each start trains before the choice (default 5). */
  probeEpochs?: number;
  log?: (line: string) => void;
}

export interface SampleSet {
  buffer: string;
  count: number;
  labels: Float64Array;
}

export interface EpochLog {
  epoch: number;
  lr: number;
  loss: number;
  valPlcc?: number;
  valSrcc?: number;
}

export interface TrainResult {
  net: Net;
  history: EpochLog[];
  steps: number;
  seconds: number;
  /** The start kept, and each start's validation loss after the probe (empty with one start). */
  start: number;
  probeLosses: number[];
}

/**
 * Projects each kernel's 7×7 weights of each input channel to zero mean. Defocus preserves local mean intensity, so a
 * focus measure should not respond to it: zero-mean kernels make the score blind to per-channel brightness offsets
 * (illumination, white balance, stain intensity) and leave only the response to detail.
 */
export function zeroMeanKernels(net: Net, mode: 'channel' | 'grey' = 'channel'): void {
  const area = mode === 'channel' ? TAPS / 3 : TAPS;
  for (let k = 0; k < (net.kernels * TAPS) / area; k++) {
    let s = 0;
    for (let i = 0; i < area; i++) s += net.theta[k * area + i]!;
    s /= area;
    for (let i = 0; i < area; i++) net.theta[k * area + i]! -= s;
  }
}

/** Scores of all samples of a set. */
export async function scoreSet(pool: Pool, net: Net, set: SampleSet): Promise<Float64Array> {
  const C = net.kernels;
  const indices = Int32Array.from({ length: set.count }, (_, i) => i);
  const o = offsets(C);
  const { mins } = await pool.forward({ buffer: set.buffer, indices, kernels: C, conv: net.theta.subarray(0, o.fw) });
  const out = new Float64Array(set.count);
  for (let i = 0; i < set.count; i++) out[i] = headScore(net, mins, i * C);
  return out;
}

export async function trainNet(pool: Pool, buffers: Buffers, train: SampleSet, val: SampleSet | undefined, opts: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const starts = Math.max(1, Math.floor(opts.starts ?? 1));
  const probeLosses: number[] = [];
  let start = 0;
  if (starts > 1) {
    if (!val) throw new Error('choosing among several starts needs a validation set');
    const lossFn = lossFor(opts.loss);
    const probeEpochs = Math.max(1, Math.min(opts.probeEpochs ?? 5, opts.epochs));
    for (let s = 0; s < starts; s++) {
      const probe = await runEpochs(pool, buffers, train, undefined, { ...opts, log: undefined }, s, probeEpochs);
      const loss = lossFn(await scoreSet(pool, probe.net, val), val.labels).loss;
      probeLosses.push(loss);
      opts.log?.(`  ${opts.kernels}-kernel start ${s + 1}/${starts}: validation ${opts.loss} loss ${loss.toFixed(4)} after ${probeEpochs} epochs`);
      if (loss < probeLosses[start]!) start = s;
    }
  }
  const run = await runEpochs(pool, buffers, train, val, opts, start, opts.epochs);
  return { ...run, seconds: (performance.now() - started) / 1000, start, probeLosses };
}

/** The first `epochs` epochs of the schedule from initialisation `start`. */
async function runEpochs(
  pool: Pool,
  buffers: Buffers,
  train: SampleSet,
  val: SampleSet | undefined,
  opts: TrainOptions,
  start: number,
  epochs: number,
): Promise<Omit<TrainResult, 'start' | 'probeLosses'>> {
  const started = performance.now();
  const C = opts.kernels;
  // start 0 keeps the single run's initialisation stream
  const net = initNet(C, new Rng(start === 0 ? hashSeed(opts.seed, C, 0x1a17) : hashSeed(opts.seed, C, 0x1a17, start)));
  const adam = new Adam(net.theta.length);
  if (opts.zeroMean) zeroMeanKernels(net, opts.zeroMean);
  const lossFn = lossFor(opts.loss);
  const data = buffers[train.buffer];
  if (!data) throw new Error(`no sample buffer '${train.buffer}'`);
  const o = offsets(C);
  const history: EpochLog[] = [];
  const B = Math.min(opts.batchSize, train.count);
  let steps = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const lr = stepDecay(opts.lr, epoch, opts.lrStepEpochs, opts.lrGamma);
    const G = Math.max(1, opts.groupSize ?? 1);
    const groups = new Rng(hashSeed(opts.seed, C, epoch)).shuffle(Array.from({ length: Math.ceil(train.count / G) }, (_, i) => i));
    const order = groups.flatMap((g) => Array.from({ length: Math.min(G, train.count - g * G) }, (_, k) => g * G + k));
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start + B <= order.length; start += B) {
      const indices = Int32Array.from(order.slice(start, start + B));
      const { mins, args } = await pool.forward({ buffer: train.buffer, indices, kernels: C, conv: net.theta.subarray(0, o.fw) });
      const scores = new Float64Array(B);
      const labels = new Float64Array(B);
      for (let i = 0; i < B; i++) {
        scores[i] = headScore(net, mins, i * C);
        labels[i] = train.labels[indices[i]!]!;
      }
      const { loss, grad } = lossFn(scores, labels);
      const g = new Float64Array(parameterCount(C, net.hasFc));
      for (let i = 0; i < B; i++) accumulateGradient(net, data, indices[i]! * SAMPLE_BYTES, mins, args, i * C, grad[i]!, g);
      adam.step(net.theta, g, lr);
      if (opts.zeroMean) zeroMeanKernels(net, opts.zeroMean);
      lossSum += loss;
      batches++;
      steps++;
    }
    const entry: EpochLog = { epoch: epoch + 1, lr, loss: lossSum / Math.max(1, batches) };
    const last = epoch === epochs - 1;
    if (val && (last || (opts.validateEvery > 0 && (epoch + 1) % opts.validateEvery === 0))) {
      const s = await scoreSet(pool, net, val);
      entry.valPlcc = plcc(s, val.labels);
      entry.valSrcc = srcc(s, val.labels);
    }
    history.push(entry);
    opts.log?.(
      `  ${C}-kernel epoch ${entry.epoch}/${opts.epochs}: lr ${lr.toExponential(1)}, ${opts.loss} loss ${entry.loss.toFixed(4)}` +
        (entry.valPlcc !== undefined ? `, validation PLCC ${entry.valPlcc.toFixed(4)} SRCC ${entry.valSrcc!.toFixed(4)}` : '') +
        ` (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
  return { net, history, steps, seconds: (performance.now() - started) / 1000 };
}
