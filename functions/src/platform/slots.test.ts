import { describe, expect, it } from "vitest";
import { Slots } from "./slots.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("Slots", () => {
  it("never runs more than its size at once, and runs everything, in the order it came", async () => {
    const slots = new Slots(3);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        slots.run(async () => {
          order.push(i);
          running++;
          most = Math.max(most, running);
          await tick();
          running--;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(slots.queued).toBe(0);
  });

  it("gives a slot back when the work fails, and passes the failure on", async () => {
    const slots = new Slots(1);
    await expect(slots.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await slots.run(() => Promise.resolve("next"))).toBe("next");
  });

  it("lets waiting I/O run between two units of work", async () => {
    const slots = new Slots(1);
    const seen: string[] = [];
    const io = new Promise<void>((resolve) =>
      setImmediate(() => {
        seen.push("io");
        resolve();
      }),
    );
    await Promise.all([
      slots.run(async () => void seen.push("first")),
      slots.run(async () => void seen.push("second")),
      io,
    ]);
    expect(seen).toEqual(["first", "io", "second"]);
  });

  it("refuses a size that is not a whole number of at least 1", () => {
    expect(() => new Slots(0)).toThrow(/at least 1/);
    expect(() => new Slots(1.5)).toThrow(/at least 1/);
  });
});
