/** Shared by the robustness suites: a bad-input case and its assertion. */

/** [name, the call, the message it must throw]. */
export type Case = [string, () => unknown, RegExp];

/** The call must throw an Error whose message matches `msg` (and must not return). */
export function expectThrow(fn: () => unknown, msg: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  if (err === undefined) throw new Error(`expected an error matching ${msg}, but the call returned`);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(msg);
}
