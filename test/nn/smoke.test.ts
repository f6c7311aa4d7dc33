import * as torch from '../../lib';
const { nn } = torch;
test('smoke', () => {
  const l = new nn.Linear(3, 2);
  const y = l(torch.randn(4, 3));
  expect(y.shape).toEqual([4, 2]);
  console.log(String(l), [...l.namedParameters()].map(([k]) => k));
});
