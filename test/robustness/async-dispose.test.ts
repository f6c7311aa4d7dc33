/**
 * matmulAsync keeps its operands "busy" so that dispose() or an in-place write while the native op
 * runs on a libuv thread is an error (lib/ops/async.ts). The busy counter lives on the Tensor
 * object, but storage is shared by views (reshape, detach, .data, flatten...), and dispose() of a
 * view detaches the shared ArrayBuffer: the worker then reads freed memory (use-after-free).
 * Run in a child process (the library transpiled on the fly) so a crash cannot take jest down.
 */
import { runLib } from './child';

describe('matmulAsync and views of its operands', () => {
  test('dispose() of the operand itself while in flight is refused (works today)', () => {
    const r = runLib(`
      const a = torch.randn(256, 256), b = torch.randn(256, 256);
      const p = torch.matmulAsync(a, b);
      try { a.dispose(); out('disposed'); } catch (e) { out(e.message); }
      await p;
    `);
    expect(r.signal).toBeNull();
    expect(r.out[0]).toMatch(/dispose: tensor is in use by a native operation in flight/);
  });

  // BUG (use-after-free): lib/tensor.ts dispose() checks only this._busy; a view shares the storage
  // but has its own _busy = 0, so native.detachBuffer frees the backing store that
  // native/binding/async_gemm.cc is still reading (it holds a reference to the typed array object,
  // which does not keep a detached buffer's memory alive). The result is computed from freed memory
  // (observed: values of unrelated tensors allocated afterwards) or the process segfaults.
  test('dispose() of a VIEW of an in-flight operand is refused', () => {
    const r = runLib(`
      const a = torch.randn(512, 512), b = torch.randn(512, 512);
      const p = torch.matmulAsync(a, b);
      let msg = 'disposed';
      try { a.reshape(-1).dispose(); } catch (e) { msg = e.message; }
      out(msg);
      try { await p; } catch (e) {}
    `);
    expect(r.signal).toBeNull();
    expect(r.out[0]).toMatch(/in use|in flight/);
  });

  // BUG (data race): the same hole lets an in-place op write through a view while the worker reads.
  test('an in-place write through a view of an in-flight operand is refused', () => {
    const r = runLib(`
      const a = torch.randn(512, 512), b = torch.randn(512, 512);
      const p = torch.matmulAsync(a, b);
      let msg = 'written';
      try { a.detach().fill_(0); } catch (e) { msg = e.message; }
      out(msg);
      await p;
    `);
    expect(r.signal).toBeNull();
    expect(r.out[0]).toMatch(/in use|in flight/);
  });

  // Issue 14 crash 4 as reported: a second torch.Tensor over another typed array on the same
  // ArrayBuffer (not a view made by torchlet) could be disposed while matmulAsync read the memory;
  // 3.9M of 4.2M outputs were garbage. Busy state now lives on the ArrayBuffer's byte ranges.
  test('a separate Tensor over another typed array of the same ArrayBuffer can be neither disposed nor written while in flight', () => {
    const r = runLib(`
      const buf = new Float32Array(512 * 512).fill(1);
      const a = new torch.Tensor(buf, [512, 512]), b = torch.ones(512, 512);
      const alias = new torch.Tensor(new Float32Array(buf.buffer), [512 * 512]);
      const part = new torch.Tensor(new Float32Array(buf.buffer, 4 * 1000, 100), [100]);
      const p = torch.matmulAsync(a, b);
      for (const t of [alias, part]) {
        try { t.dispose(); out('disposed'); } catch (e) { out(e.message); }
        try { t.fill_(0); out('written'); } catch (e) { out(e.message); }
      }
      const y = await p;
      out([y.storage[0], y.storage[512 * 512 - 1], alias.sum().item()]);
    `);
    expect(r.signal).toBeNull();
    expect(r.out.slice(0, 4)).toEqual([
      'dispose: tensor is in use by a native operation in flight', 'fill_: tensor is in use by a native operation in flight',
      'dispose: tensor is in use by a native operation in flight', 'fill_: tensor is in use by a native operation in flight',
    ]);
    expect(r.out[4]).toEqual([512, 512, 512 * 512]);
  });

  test('a Tensor over a disjoint part of the same ArrayBuffer may be disposed, without freeing the operand', () => {
    const r = runLib(`
      const buf = new ArrayBuffer(2 * 4 * 512 * 512);
      const a = new torch.Tensor(new Float32Array(buf, 0, 512 * 512).fill(1), [512, 512]), b = torch.ones(512, 512);
      const other = new torch.Tensor(new Float32Array(buf, 4 * 512 * 512, 512 * 512), [512 * 512]);
      const p = torch.matmulAsync(a, b);
      other.dispose();
      const y = await p;
      out([buf.byteLength, y.storage[0], y.storage[512 * 512 - 1]]);
    `);
    expect(r.signal).toBeNull();
    expect(r.threw).toBeNull();
    expect(r.out[0]).toEqual([2 * 4 * 512 * 512, 512, 512]);
  });
});
