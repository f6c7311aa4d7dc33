/**
 * Cost of the call path. With no hooks, `model(x)` is one Proxy call plus two counter reads
 * before `forward` (PyTorch's fast path). The figures are logged; the bounds only catch gross
 * regressions (the machine is shared).
 */
import * as torch from '../../lib';
import { nn, Tensor } from '../../lib';

function nsPerCall(fn: () => void, n = 1_000_000): number {
  for (let i = 0; i < 200_000; i++) fn();
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / n);
  }
  return best;
}

class Leaf extends nn.Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

test('no-hooks fast path costs tens of nanoseconds', () => {
  const x = torch.ones(1);
  const m = new Leaf();
  const plain = { forward: (t: Tensor) => t };
  const direct = nsPerCall(() => void plain.forward(x));
  const viaForward = nsPerCall(() => void m.forward(x));
  const viaCall = nsPerCall(() => void m(x));
  const seq = new nn.Sequential(...Array.from({ length: 8 }, () => new Leaf()));
  const seqCall = nsPerCall(() => void seq(x), 200_000);
  const hooked = new Leaf();
  hooked.registerForwardHook(() => undefined);
  const withHook = nsPerCall(() => void hooked(x), 200_000);
  const report = {
    'plain method': direct,
    'module.forward(x)': viaForward,
    'module(x), no hooks': viaCall,
    'call overhead (ns)': viaCall - viaForward,
    'Sequential of 8, per child': seqCall / 8,
    'module(x) with one forward hook': withHook,
  };
  console.log(Object.entries(report).map(([k, v]) => `${k}: ${v.toFixed(1)} ns`).join('\n'));
  expect(viaCall).toBeLessThan(3000); // ~25 ns in plain Node (test/nn/bench-call-overhead.js); jest's vm context inflates Proxy calls
  expect(withHook).toBeLessThan(20000);
});
