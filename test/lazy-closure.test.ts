/**
 * Pulumi's function serialization loaded on first use (tools/lazy-closure.ts): the stand-ins load
 * the real modules once and forward every function they export. That a real process loads neither
 * TypeScript's compiler nor npm's arborist until it serializes a function:
 * test/integration/lazy-closure.test.ts.
 */
import { forwarders } from "../tools/lazy-closure";

describe("Pulumi's function serialization, loaded on first use", () => {
  it("loads the real module once, on the first call, and passes arguments and results through", () => {
    const load = jest.fn(() => ({ twice: (x: unknown) => [x, x], once: (x: unknown) => x }));
    const standIn = forwarders(["twice", "once"], load);
    expect(load).not.toHaveBeenCalled();
    expect(standIn.twice(1)).toEqual([1, 1]);
    expect(standIn.once("a")).toBe("a");
    expect(load).toHaveBeenCalledTimes(1);
  });
});
