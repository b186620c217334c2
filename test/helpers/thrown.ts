import { expect } from 'vitest';

/** Runs fn and returns the error it throws, which must be an instance of `kind`. */
export function thrown<E extends Error>(kind: abstract new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(kind);
    return error as E;
  }
  throw new Error(`expected a ${kind.name}`);
}
