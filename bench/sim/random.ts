/** A small seeded pseudo-random generator, so simulated organizations and drift are repeatable. */

export interface Random {
  /** In [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** `length` lower-case hex digits. */
  hex(length: number): string;
  /** The items in a seeded random order (a new array). */
  shuffle<T>(items: readonly T[]): T[];
}

export function createRandom(seed: number): Random {
  // A Weyl sequence (golden-ratio increment) through a 32-bit avalanche mix.
  let state = Math.floor(seed) | 0;
  const next = (): number => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 0x1_0000_0000;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    hex(length) {
      let out = '';
      for (let i = 0; i < length; i += 1) out += int(16).toString(16);
      return out;
    },
    shuffle(items) {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i -= 1) {
        const j = int(i + 1);
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy;
    },
  };
}
