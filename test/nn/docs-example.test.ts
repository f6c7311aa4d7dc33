/** The examples of docs/nn-module.md, run as written. */
import * as torch from '../../lib';
import { nn } from '../../lib';
import { LeNet } from './models';

test('README LeNet and hook examples', () => {
  const model = new LeNet();
  const output = model(torch.randn(1, 3, 32, 32));
  expect(output.shape).toEqual([1, 10]);

  const shapes: string[] = [];
  const h = nn.registerModuleForwardHook((m, args, out) => {
    shapes.push(`${m.constructor.name} ${out.shape}`);
  });
  model(torch.randn(1, 3, 32, 32));
  h.remove();
  expect(shapes[0]).toBe('Conv2d 1,6,28,28');
  expect(shapes[shapes.length - 1]).toBe('LeNet 1,10');

  model.c1.registerForwardPreHook((m, [x]) => x.mul(2));
  model.f7.registerForwardHook((m, args, out) => out.relu(), { prepend: true });
  const done: boolean[] = [];
  model.registerForwardHook((m, args, out) => void done.push(out === null), { alwaysCall: true });
  model.f5.registerFullBackwardPreHook((m, gradOutput) => [gradOutput[0]!.mul(0.5)]);
  const seen: unknown[] = [];
  model.f5.registerFullBackwardHook((m, gradInput, gradOutput) => {
    seen.push(gradInput[0]?.shape, gradOutput[0]?.shape);
    return [gradInput[0]!.mul(0.1)];
  });
  const y = model(torch.randn(1, 3, 32, 32, { requiresGrad: true }));
  expect(done).toEqual([false]);
  expect((y.toArray() as number[][])[0].every((v) => v >= 0)).toBe(true);
  y.sum().backward();
  expect(seen).toEqual([[1, 400], [1, 120]]);
});
