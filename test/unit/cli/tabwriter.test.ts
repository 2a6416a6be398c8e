import { expect, test } from "bun:test";
import { alignTabbed } from "../../../src/cli/tabwriter";

test("Go tabwriter layout: columns at multiples of 8, trailing empty cells keep their tab", () => {
  const text = "UUID\tAPP\tACI\tSTATE\tNETWORKS\n5bc080ca\tredis\tredis\trunning\tdefault:ip4=172.16.28.7\n\tetcd\tcoreos.com/etcd\t\t\n";
  expect(alignTabbed(text)).toBe(
    "UUID\t\tAPP\tACI\t\tSTATE\tNETWORKS\n5bc080ca\tredis\tredis\t\trunning\tdefault:ip4=172.16.28.7\n\t\tetcd\tcoreos.com/etcd\t\t\n",
  );
});

test("Go tabwriter: a cell exactly a multiple of 8 wide still gets a padding tab", () => {
  expect(alignTabbed("abcdefgh\tx\nab\ty\n")).toBe("abcdefgh\tx\nab\t\ty\n");
});

test("Go tabwriter: a cell's width is its code points, as Go counts runes, not its UTF-16 length", () => {
  expect(alignTabbed("😀😀😀😀😀😀😀\tx\nab\ty\n")).toBe("😀😀😀😀😀😀😀\tx\nab\ty\n");
  expect(alignTabbed("héllo\tx\nab\ty\n")).toBe("héllo\tx\nab\ty\n");
});

test("Go tabwriter: a line without a cell in a column ends that column's block, so the lines above are not padded for those below", () => {
  expect(alignTabbed("a\tb\nlonger-than-8\nccccccccc\td\n")).toBe("a\tb\nlonger-than-8\nccccccccc\td\n");
  expect(alignTabbed("a\tb\nccccccccc\td\n")).toBe("a\t\tb\nccccccccc\td\n");
});
