// Hook register/remove cycles: prints the JS heap (after full GCs) before and after, per cycle.
// Run with --expose-gc. argv[2]: the kind of hook.
const torch = require('../../../dist');
const { nn } = torch;
const kind = process.argv[2];
const n = Number(process.argv[3] ?? 200000);
const m = new nn.Linear(2, 2);
m.registerForwardHook(() => {});
const x = torch.randn(1, 2);
const make = {
  forward: () => m.registerForwardHook(() => {}, { alwaysCall: true, withKwargs: true }),
  prepend: () => m.registerForwardPreHook(() => {}, { prepend: true }),
  backward: () => m.registerFullBackwardHook(() => {}),
  global: () => nn.registerModuleForwardHook(() => {}, { alwaysCall: true }),
  registration: () => nn.registerModuleBufferRegistrationHook(() => {}),
  stateDict: () => m.registerStateDictPostHook(() => {}),
  called: () => m.registerForwardHook(() => {}),
}[kind];
if (!make) throw new Error(`unknown kind ${kind}`);
function cycle(k) {
  for (let i = 0; i < k; i++) {
    const h = make();
    if (kind === 'called' && i % 16 === 0) m(x);
    h.remove();
  }
}
const heap = () => {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
};
cycle(20000);
const before = heap();
cycle(n);
const after = heap();
// A retained handle must not keep the hook dict entries alive either.
const kept = [];
for (let i = 0; i < 1000; i++) kept.push(make());
for (const h of kept) h.remove();
process.stdout.write(JSON.stringify({ kind, bytesPerCycle: (after - before) / n, sizes: m._hookState.n }));
