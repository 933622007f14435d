import { describe, expect, it } from "vitest";
import { deadlineSignal, untilAborted } from "../../lib/abort.ts";

const timedOut = () => new Error("timed out");

describe("untilAborted", () => {
  it("rejects at once for a signal that is already aborted, though the call never settles", async () => {
    // Prepare
    const controller = new AbortController();
    controller.abort();
    // Act
    const outcome = untilAborted(new Promise<never>(() => undefined), controller.signal, timedOut);
    // Assess
    await expect(outcome).rejects.toThrow("timed out");
  });

  it("settles with the call, or rejects when the signal aborts first", async () => {
    await expect(untilAborted(Promise.resolve(7), new AbortController().signal, timedOut)).resolves.toBe(7);
    const controller = new AbortController();
    const outcome = untilAborted(new Promise<never>(() => undefined), controller.signal, timedOut);
    controller.abort();
    await expect(outcome).rejects.toThrow("timed out");
  });
});

describe("deadlineSignal", () => {
  it("aborts at its deadline, or sooner with the signal it joins", async () => {
    const joined = new AbortController();
    const signal = deadlineSignal(60_000, joined.signal);
    expect(signal.aborted).toBe(false);
    joined.abort();
    expect(signal.aborted).toBe(true);
    const alone = deadlineSignal(10);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(alone.aborted).toBe(true);
  });
});
