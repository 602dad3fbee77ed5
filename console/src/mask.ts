// Name masking as the gate display shows names (the server's access/name_mask.cc): the first
// and last characters of each space-separated word are kept and the ones between become "○",
// e.g. 张三明 -> 张○明, 李四 -> 李○, "Mary Jones" -> "M○○y J○○○s". A one-character word stays.

const kMask = "\u25CB";

function maskWord(word: string[]): string {
  if (word.length <= 1) return word.join("");
  if (word.length === 2) return word[0] + kMask;
  return word[0] + kMask.repeat(word.length - 2) + word[word.length - 1];
}

export function maskName(name: string): string {
  // Array.from splits by code point, as the server does.
  return name
    .split(" ")
    .map((word) => maskWord(Array.from(word)))
    .join(" ");
}
