/**
 * Issue 14 item 6: MSELoss between [4, 1] and [4] silently broadcast to [4, 4]; PyTorch warns
 * ("Using a target size (torch.Size([4])) that is different to the input size (torch.Size([4, 1]))...")
 * and then broadcasts. torchlet now warns too, once per distinct message, and still broadcasts.
 */
import * as torch from '../../lib';
import { nn } from '../../lib';

const F = torch.nn.functional;
let warnings: string[] = [];
let spy: jest.SpyInstance;
beforeEach(() => {
  warnings = [];
  spy = jest.spyOn(process, 'emitWarning').mockImplementation(((w: string | Error) => { warnings.push(String(w)); }) as typeof process.emitWarning);
});
afterEach(() => spy.mockRestore());

test('mseLoss([4, 1], [4]) warns like PyTorch, once, and broadcasts to [4, 4] as PyTorch does', () => {
  const x = torch.tensor([[1], [2], [3], [4]]), y = torch.tensor([1, 2, 3, 5]);
  const l = F.mseLoss(x, y);
  // mean over i, j of (x_i - y_j)^2: 56 / 16 (PyTorch 1.13: 3.5)
  expect(l.item()).toBe(3.5);
  expect(warnings).toEqual([
    'mseLoss: using a target size [4] that is different to the input size [4, 1]. This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.',
  ]);
  expect(spy.mock.calls[0][1]).toEqual({ type: 'UserWarning', code: 'TORCHLET_LOSS_BROADCAST' });
  F.mseLoss(x, y);
  new nn.MSELoss()(x, y);
  expect(warnings).toHaveLength(1);
});

test('l1Loss warns for its own shapes; equal shapes and mismatches that cannot broadcast do not warn', () => {
  F.l1Loss(torch.zeros(3, 1), torch.zeros(3));
  F.mseLoss(torch.zeros(3), torch.zeros(3));
  expect(() => F.mseLoss(torch.zeros(2, 3), torch.zeros(3, 2))).toThrow(/mseLoss/);
  expect(warnings).toEqual([
    'l1Loss: using a target size [3] that is different to the input size [3, 1]. This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.',
  ]);
});
