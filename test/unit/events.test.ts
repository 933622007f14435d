import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";

// Every function has a sample event for `sls invoke local -f NAME -p events/NAME.json`.
describe("sample events", () => {
  const functions = readdirSync("functions")
    .filter((file) => file.endsWith(".ts"))
    .map((file) => basename(file, ".ts"));
  const events = new Set(readdirSync("events").map((file) => basename(file, ".json")));

  it.each(functions)("%s has a sample event that parses", (name) => {
    expect(events.has(name), `events/${name}.json`).toBe(true);
    expect(() => JSON.parse(readFileSync(`events/${name}.json`, "utf8"))).not.toThrow();
  });
});
