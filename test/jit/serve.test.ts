/**
 * examples/serve answers classification requests with the model's own prediction, batches
 * concurrent requests, and rejects malformed ones with 400.
 */
import { spawn, ChildProcess } from 'child_process';
import { join } from 'path';

jest.setTimeout(60_000);

const SERVER = join(__dirname, '..', '..', 'examples', 'serve', 'server.js');
// The example's LeNet is built on the compiled package (dist/), so the reference uses it too.

const torch = require('../../dist');

const { LeNet } = require('../../examples/models/lenet');

let child: ChildProcess;
let port = 0;

beforeAll(async () => {
  const weights = join(__dirname, '..', 'fixtures', 'jit', 'lenet.safetensors');
  child = spawn(process.execPath, [SERVER, '--port', '0', '--weights', weights, '--max-delay-ms', '5'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  port = await new Promise<number>((resolve) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]).listening);
    });
  });
});
afterAll(() => { child.kill('SIGTERM'); });

const post = (body: string | Buffer, type = 'application/json') =>
  fetch(`http://127.0.0.1:${port}/classify`, { method: 'POST', headers: { 'content-type': type }, body });

test('answers with the model\'s prediction, JSON and binary, concurrent requests batched', async () => {
  const model = new LeNet();
  model.loadStateDict(torch.load(join(__dirname, '..', 'fixtures', 'jit', 'lenet.safetensors')));
  model.eval();
  torch.manualSeed(9);
  const images: any[] = Array.from({ length: 6 }, () => torch.rand(1, 1, 28, 28));
  const want: Float32Array[] = images.map((x) => torch.noGrad(() => torch.nn.functional.softmax(model(x), 1)).storage);
  const answers = await Promise.all(images.map((x, i) => i % 2
    ? post(Buffer.from(x.storage.buffer, x.storage.byteOffset, x.storage.byteLength), 'application/octet-stream')
    : post(JSON.stringify({ image: Array.from(x.storage) }))));
  for (let i = 0; i < images.length; i++) {
    expect(answers[i].status).toBe(200);
    const r = (await answers[i].json()) as { class: number; probs: number[] };
    let k = 0;
    for (let j = 1; j < 10; j++) if (want[i][j] > want[i][k]) k = j;
    expect(r.class).toBe(k);
    r.probs.forEach((p: number, j: number) => expect(Math.abs(p - want[i][j])).toBeLessThan(1e-4));
  }
  const s = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as { served: number; mode: string };
  expect(s.served).toBe(6);
  expect(s.mode).toBe('async');
});

test('malformed requests get 400 with the reason, unknown routes 404', async () => {
  const r1 = await post('{"image": [1, 2]}');
  expect(r1.status).toBe(400);
  expect(((await r1.json()) as { error: string }).error).toBe('expected {"image": [784 finite numbers]}');
  const r2 = await post('not json');
  expect(r2.status).toBe(400);
  const r3 = await post(Buffer.alloc(12), 'application/octet-stream');
  expect(((await r3.json()) as { error: string }).error).toBe('expected 784 float32 values (3136 bytes), got 12 bytes');
  const r4 = await fetch(`http://127.0.0.1:${port}/nope`);
  expect(r4.status).toBe(404);
});
