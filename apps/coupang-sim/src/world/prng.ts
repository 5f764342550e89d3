import type { Randomizer } from "@faker-js/faker";

/**
 * Hashes any mix of strings and numbers into one unsigned 32-bit seed (cyrb53 mixing, folded
 * to 32 bits). Used to derive independent, stable sub-streams — per vendor, per order, per
 * box — from the simulator's one seed, so a box's contents do not depend on how many boxes
 * were generated before it.
 */
export function hashSeed(...parts: readonly (string | number)[]): number {
  const text = parts.join("\u001f");
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 ^ h2) >>> 0;
}

/**
 * A small seeded PRNG (sfc32, state filled by splitmix32) with the helpers the generator
 * needs. It also implements Faker's `Randomizer`, so one instance drives both our own draws
 * and Faker's: reseeding it reseeds Faker. Never touches `Math.random` or the clock.
 */
export class Prng implements Randomizer {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  /** @param seed any 32-bit integer (higher bits are dropped). */
  constructor(seed: number) {
    this.seed(seed);
  }

  /**
   * Resets the stream; an array seed is hashed with {@link hashSeed}. An arrow property, as
   * is {@link next}, because Faker calls both detached from the instance.
   */
  readonly seed = (seed: number | number[]): void => {
    let s = Array.isArray(seed) ? hashSeed(...seed) : seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    // sfc32 needs a few rounds before nearby seeds decorrelate.
    for (let i = 0; i < 12; i++) this.uint32();
  };

  /** Next unsigned 32-bit integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  readonly next = (): number => this.uint32() / 4294967296;

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. Throws a `RangeError` on an empty one. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError("Cannot pick from an empty list");
    return item;
  }

  /**
   * One value of `[value, weight]` pairs, with probability proportional to its weight
   * (weights need not sum to 1). Throws a `RangeError` when no weight is positive.
   */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.next() * total;
    for (const [value, w] of entries) {
      if (w <= 0) continue;
      r -= w;
      if (r < 0) return value;
    }
    const last = entries.findLast(([, w]) => w > 0);
    if (last === undefined) throw new RangeError("No entry has a positive weight");
    return last[0];
  }

  /** A string of `length` decimal digits (leading zeros allowed). */
  digits(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += String(this.int(0, 9));
    return out;
  }
}
