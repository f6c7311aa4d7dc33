/** Loss modules: callable, same values as the functional forms, buffers and repr as in PyTorch. */
import * as torch from '../../lib';
import { expectClose } from '../helpers/close';

const { nn } = torch;
const F = torch.nn.functional;

describe('loss modules', () => {
  const x = torch.tensor([[1, 2, 0.5], [0.1, -1, 2], [3, 0, 0]]);
  const w = torch.tensor([0.2, 1, 3]);

  test('CrossEntropyLoss equals F.crossEntropy and backprops', () => {
    const xi = x.detach().requiresGrad_(true);
    const crit = new nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.1, ignoreIndex: 1 });
    const l = crit(xi, [2, 1, 0]);
    expectClose(l, [F.crossEntropy(x, [2, 1, 0], { weight: w, labelSmoothing: 0.1, ignoreIndex: 1 }).item()]);
    l.backward();
    expect(xi.grad!.shape).toEqual([3, 3]);
    expect(String(crit)).toBe('CrossEntropyLoss()');
    expect(Object.keys(crit.stateDict())).toEqual(['weight']);
    expect(crit.reduction).toBe('mean');
  });

  test('NLLLoss, MSELoss, L1Loss, BCEWithLogitsLoss', () => {
    const logp = F.logSoftmax(x, 1);
    expectClose(new nn.NLLLoss({ reduction: 'sum' })(logp, [0, 2, 1]), [F.nllLoss(logp, [0, 2, 1], { reduction: 'sum' }).item()]);
    const y = torch.tensor([[0, 1, 0], [1, 1, 0], [0, 0, 1]]);
    expectClose(new nn.MSELoss()(x, y), [F.mseLoss(x, y).item()]);
    expectClose(new nn.L1Loss({ reduction: 'none' })(x, y), F.l1Loss(x, y, { reduction: 'none' }).storage);
    const bce = new nn.BCEWithLogitsLoss({ posWeight: w });
    expectClose(bce(x, y), [F.binaryCrossEntropyWithLogits(x, y, { posWeight: w }).item()]);
    expect(Object.keys(bce.stateDict())).toEqual(['pos_weight']);
    expect(new nn.CrossEntropyLoss().stateDict()).toEqual({});
  });
});
