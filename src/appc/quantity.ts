// Resource quantities the way the reference parses them (Kubernetes quantities, appc.md §1):
// `128974848`, `125952Ki`, `123Mi`, `1.5G`, `800m`, `1e3`. Upper-case `K` is not a suffix.

const quantityPattern = /^([+-]?[0-9.]+)([eEimkKMGTP]*[-+]?[0-9]*)$/;
const decimalNumber = /^[+-]?(\d+\.?\d*|\.\d+)$/;

const multipliers: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

function suffixMultiplier(suffix: string): number | undefined {
  const known = multipliers[suffix];
  if (known !== undefined) return known;
  const exponent = /^[eE]([-+]?\d+)$/.exec(suffix);
  return exponent ? 10 ** Number(exponent[1]) : undefined;
}

/**
 * The quantity in base units (bytes, cores). Negative values become positive and the
 * precision is rounded up to 10^-3, as the reference does. Throws on malformed input.
 */
export function parseQuantity(q: string): number {
  const m = quantityPattern.exec(q);
  const multiplier = m ? suffixMultiplier(m[2]!) : undefined;
  if (!m || !decimalNumber.test(m[1]!) || multiplier === undefined) throw new Error(`quantity "${q}" is not valid: expected a number with an optional suffix (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or an exponent such as e3)`);
  const value = Math.abs(Number(m[1]) * multiplier);
  return Math.ceil(Math.round(value * 1e6) / 1e3) / 1e3;
}

/** Why `q` is not a quantity, or undefined. */
export function quantityProblem(q: string): string | undefined {
  try {
    parseQuantity(q);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
