import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CONFIG_KEYS } from "../../app/config.ts";

test("README's configuration table lists every configuration key", () => {
  const readme = readFileSync(resolve(import.meta.dir, "../../README.md"), "utf8");
  const missing = Object.keys(CONFIG_KEYS).filter((key) => !readme.includes(`| \`${key}\``));
  expect(missing).toEqual([]);
});
