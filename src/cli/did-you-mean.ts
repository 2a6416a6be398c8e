// "did you mean": the known word closest to a mistyped command or flag name, within two
// edits, as cobra (the command-line library of rkt) suggested.
const MAX_EDITS = 2;

/** Edits (insertions, deletions, substitutions, swaps of two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** `; did you mean X?` for the closest of `known` (first wins a tie), or "" when none is close. */
export function didYouMean(word: string, known: readonly string[], spell: (name: string) => string = (name) => `"${name}"`): string {
  let best: string | undefined;
  let bestDistance = MAX_EDITS + 1;
  for (const name of known) {
    const distance = editDistance(word, name);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best === undefined ? "" : `; did you mean ${spell(best)}?`;
}
