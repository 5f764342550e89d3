import { describe, expect, it } from "vitest";
import { Prng, hashSeed } from "./prng.js";

describe("Prng", () => {
  it("repeats a stream for a seed and differs between seeds", () => {
    const draw = (seed: number): number[] => {
      const rng = new Prng(seed);
      return Array.from({ length: 5 }, () => rng.uint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it("restarts on seed(), also when called detached as Faker does", () => {
    const rng = new Prng(1);
    const first = rng.next();
    const { seed, next } = rng;
    seed(1);
    expect(next()).toBe(first);
  });

  it("keeps int() within its inclusive bounds and weighted() to positive weights", () => {
    const rng = new Prng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(rng.int(3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    for (let i = 0; i < 200; i++)
      expect(
        rng.weighted([
          ["a", 0],
          ["b", 1],
        ] as const),
      ).toBe("b");
  });

  it("hashes parts into stable, distinct seeds", () => {
    expect(hashSeed(42, "A1", "box", 0)).toBe(hashSeed(42, "A1", "box", 0));
    expect(hashSeed(42, "A1", "box", 0)).not.toBe(hashSeed(42, "A1", "box", 1));
    expect(hashSeed("ab", "c")).not.toBe(hashSeed("a", "bc"));
  });
});
