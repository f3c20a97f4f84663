// Adam (Kingma & Ba) with PyTorch's defaults, and step decay of the learning rate (PyTorch StepLR).

export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    size: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(theta: Float64Array, grad: Float64Array, lr: number): void {
    this.t++;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i]!;
      const m = (this.m[i] = b1 * this.m[i]! + (1 - b1) * g);
      const v = (this.v[i] = b2 * this.v[i]! + (1 - b2) * g * g);
      theta[i]! -= (lr * (m / c1)) / (Math.sqrt(v / c2) + this.eps);
    }
  }
}

/** lr · gamma^⌊epoch / stepEpochs⌋ */
export function stepDecay(lr: number, epoch: number, stepEpochs: number, gamma: number): number {
  return lr * gamma ** Math.floor(epoch / stepEpochs);
}
