'use strict';
/**
 * The words of the `an-array-of-english-words` npm package as fixed-length character sequences,
 * split into train / validation by a seeded LCG shuffle that examples/transformer/train_pytorch.py
 * repeats exactly, so both trainers see the same data in the same split.
 *
 * Token 0 is '.', the start and end marker; 1..26 are 'a'..'z'. A word w of n <= T - 1 letters is
 * x = [0, w1..wn, 0...] and y = [w1..wn, 0, -100...] (-100: ignored by the loss).
 */
const T = 16;
const IGNORE = -100;

function loadWords() {
  try {
    return require('an-array-of-english-words');
  } catch (e) {
    throw new Error('the `an-array-of-english-words` package is missing: run `npm install` in the repository (it is a devDependency)');
  }
}

/** Fisher-Yates with a 32-bit LCG (Numerical Recipes constants); the Python trainer has the same loop. */
function shuffle(arr, seed) {
  let s = seed >>> 0;
  for (let i = arr.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return arr;
}

function encode(words) {
  const n = words.length;
  const x = new BigInt64Array(n * T), y = new BigInt64Array(n * T).fill(BigInt(IGNORE));
  words.forEach((w, r) => {
    for (let i = 0; i < w.length; i++) {
      const c = BigInt(w.charCodeAt(i) - 96);
      x[r * T + i + 1] = c;
      y[r * T + i] = c;
    }
    y[r * T + w.length] = 0n;
  });
  return { x, y, n };
}

function load({ trainWords, valWords, seed = 1234 }) {
  const all = loadWords().filter((w) => w.length < T && /^[a-z]+$/.test(w));
  const words = shuffle(all.slice(), seed);
  if (trainWords + valWords > words.length) throw new Error(`only ${words.length} words available`);
  return {
    vocab: 27,
    block: T,
    all: new Set(all),
    train: encode(words.slice(0, trainWords)),
    val: encode(words.slice(trainWords, trainWords + valWords)),
  };
}

module.exports = { load, T, IGNORE };
