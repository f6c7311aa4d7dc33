#!/usr/bin/env node
'use strict';
// Bounded fuzzing of the native binding and the file loaders (issue 14). Cases run in child
// processes (scripts/fuzz-worker.js) in batches; a batch that dies by a signal, exits abnormally or
// hangs is a crash/hang attributed to the case it was running, and fuzzing resumes after it.
//
//   node scripts/fuzz.js [--target native|files|teardown|all] [--iterations N] [--minutes M] [--seed S]
//                        [--start I] [--batch B] [--workers W] [--rounds R] [--json]
// teardown: each case is a round of W workers (default 3) running native cases with gemmAsync in
// flight, terminated after a random delay (scripts/fuzz-teardown.js); R rounds (default 100).
//   node scripts/fuzz.js --target native --seed S --case I     print case I (to turn a finding into a test)
//
// --iterations N runs N cases per target (default 10000, seed 1); --minutes M keeps going until M
// minutes have passed instead (split between the targets, fresh seed unless --seed). Exit status 1
// when any crash, hang, finding or harness error was seen. In package.json: "fuzz", so
// `npm run fuzz -- --minutes 10`.
const { spawnSync } = require('child_process');
const path = require('path');

function parse(argv) {
  const o = { target: 'all', iterations: 10000, minutes: 0, seed: null, batch: 2000, workers: 3, rounds: null, start: 0, json: false, case: null, selfTestCrashAt: null, timeout: 120 };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k], v = () => {
      if (k + 1 >= argv.length) throw new Error(`fuzz: ${a} needs a value`);
      return argv[++k];
    };
    const num = (name) => {
      const x = Number(v());
      if (!Number.isFinite(x) || x < 0) throw new Error(`fuzz: ${name} must be a non-negative number`);
      return x;
    };
    if (a === '--target') o.target = v();
    else if (a === '--iterations') { o.iterations = Math.floor(num(a)); o.iterationsGiven = true; } else if (a === '--rounds') o.rounds = Math.floor(num(a));
    else if (a === '--start') o.start = Math.floor(num(a));
    else if (a === '--minutes') o.minutes = num(a);
    else if (a === '--seed') o.seed = Math.floor(num(a));
    else if (a === '--batch') { o.batch = Math.max(1, Math.floor(num(a))); o.batchGiven = true; } else if (a === '--timeout') o.timeout = num(a);
    else if (a === '--workers') o.workers = Math.max(1, Math.floor(num(a)));
    else if (a === '--case') o.case = Math.floor(num(a));
    else if (a === '--self-test-crash-at') o.selfTestCrashAt = Math.floor(num(a));
    else if (a === '--json') o.json = true;
    else if (a === '--help' || a === '-h') { console.log(require('fs').readFileSync(__filename, 'utf8').split('\n').slice(2, 16).join('\n')); process.exit(0); } else throw new Error(`fuzz: unknown option ${a}`);
  }
  // A fixed seed for counted runs (CI repeats the same cases); a fresh one, printed, for timed runs,
  // so each long run explores new cases.
  if (o.seed === null) o.seed = o.minutes > 0 ? Date.now() % 2 ** 31 : 1;
  if (!['native', 'files', 'teardown', 'all'].includes(o.target)) throw new Error(`fuzz: --target must be native, files, teardown or all, got ${o.target}`);
  return o;
}

function runTarget(target, o) {
  const worker = path.join(__dirname, 'fuzz-worker.js');
  const res = { target, seed: o.seed, cases: 0, ok: 0, threw: 0, crashes: [], hangs: [], findings: [], internal: [], seconds: 0 };
  const t0 = Date.now();
  const share = o.target === 'all' ? 3 : 1;
  const deadline = o.minutes > 0 ? t0 + (o.minutes * 60_000) / share : Infinity;
  // Teardown rounds are ~100x costlier than single cases: 100 by default, --rounds to change.
  const counted = target !== 'teardown' ? o.iterations : o.rounds ?? (o.target === 'teardown' && o.iterationsGiven ? o.iterations : 100);
  const total = o.minutes > 0 ? Infinity : o.start + counted;
  let next = o.start;
  while (next < total && Date.now() < deadline) {
    const count = Math.min(target === 'teardown' && !o.batchGiven ? 20 : o.batch, total - next);
    const args = target === 'teardown'
      ? [path.join(__dirname, 'fuzz-teardown.js'), String(o.seed), String(next), String(count), String(o.workers)]
      : [worker, target, String(o.seed), String(next), String(count)];
    if (o.selfTestCrashAt !== null && target !== 'teardown') args.push(String(o.selfTestCrashAt));
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: o.timeout * 1000, maxBuffer: 1 << 28 });
    const lines = (r.stdout || '').split('\n');
    const done = lines.find((l) => l.startsWith('R '));
    if (done && r.status === 0 && !r.signal) {
      const s = JSON.parse(done.slice(2));
      if (target === 'teardown') {
        // A "case" is a round of workers; what they ran inside is counted separately.
        res.cases += s.rounds; res.ok += s.rounds;
        for (const k of ['terminated', 'busyAtTerminate', 'asyncInFlight']) res[k] = (res[k] || 0) + s[k];
        res.workerCases = (res.workerCases || 0) + s.cases;
      } else {
        res.cases += s.cases; res.ok += s.ok; res.threw += s.threw;
        res.findings.push(...s.findings); res.internal.push(...s.internal);
      }
      next += count;
      continue;
    }
    if (r.status === 3 && !r.signal) {
      // The worker's own failure (a generator bug), not the binding's: stop, it would repeat.
      res.internal.push({ case: next, call: 'fuzz-worker', what: (r.stderr || '').trim().split('\n').slice(0, 3).join(' / ') });
      res.harness = true;
      break;
    }
    // The batch died: the last case it announced is the culprit; cases before it passed.
    const started = lines.filter((l) => l.startsWith('C ')).map((l) => Number(l.slice(2)));
    const at = started.length ? started[started.length - 1] : next;
    const entry = {
      case: at, signal: r.signal, status: r.status,
      repro: target === 'teardown'
        ? `node scripts/fuzz.js --target teardown --seed ${o.seed} --start ${at} --rounds 1 --workers ${o.workers}`
        : `node scripts/fuzz.js --target ${target} --seed ${o.seed} --case ${at}`,
      stderr: (r.stderr || '').slice(-400),
    };
    (r.error && r.error.code === 'ETIMEDOUT' ? res.hangs : res.crashes).push(entry);
    res.cases += at - next + 1;
    next = at + 1;
  }
  res.seconds = Math.round((Date.now() - t0) / 100) / 10;
  return res;
}

function main() {
  let o;
  try {
    o = parse(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const targets = o.target === 'all' ? ['native', 'files', 'teardown'] : [o.target];
  if (o.case !== null) {
    const { TARGETS } = require('./fuzz-lib');
    for (const t of targets.filter((x) => x !== 'teardown')) console.log(`${t} case ${o.case} (seed ${o.seed}): ${TARGETS[t].make(o.seed, o.case).text}`);
    return;
  }
  const results = targets.map((t) => runTarget(t, o));
  if (o.json) console.log(JSON.stringify(results));
  else {
    for (const r of results) {
      if (r.target === 'teardown') {
        console.log(`teardown: ${r.cases} rounds in ${r.seconds} s (seed ${r.seed}): ${r.terminated || 0} workers terminated mid-run ` +
          `(${r.busyAtTerminate || 0} busy, ${r.asyncInFlight || 0} gemmAsync calls in flight, ${r.workerCases || 0} fuzz cases run inside), ` +
          `${r.crashes.length} crashes, ${r.hangs.length} hangs`);
      } else {
        console.log(`${r.target}: ${r.cases} cases in ${r.seconds} s (seed ${r.seed}): ${r.ok} returned, ${r.threw} threw, ` +
          `${r.crashes.length} crashes, ${r.hangs.length} hangs, ${r.findings.length} findings, ${r.internal.length} internal errors`);
      }
      for (const c of [...r.crashes, ...r.hangs]) console.log(`  ${c.signal || 'exit ' + c.status} at case ${c.case}: ${c.repro}\n    ${c.stderr.trim().split('\n').pop() || ''}`);
      for (const f of [...r.findings, ...r.internal].slice(0, 20)) console.log(`  case ${f.case}: ${f.call}\n    ${f.what}`);
    }
  }
  if (results.some((r) => r.crashes.length || r.hangs.length || r.findings.length || r.harness)) process.exitCode = 1;
}

main();
