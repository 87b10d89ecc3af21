import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PlatformRequestError } from "./platform";
import { useMutation } from "./useMutation";

/** A change that ends when the test says so. */
function deferred<T = string | void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const refusal = (reason: string, issues: { path: string; message: string }[] = []) =>
  new PlatformRequestError(
    "http",
    "/v1/api-keys/key_1",
    `DELETE /v1/api-keys/key_1 answered HTTP 403: ${reason}`,
    403,
    {
      code: "permission-denied",
      reason,
      issues,
    },
  );

describe("a screen's changes", () => {
  it("is busy with a change until it ends, then announces what it did", async () => {
    const { result } = renderHook(() => useMutation<"revoke">());
    const revoke = deferred();
    let ran: Promise<boolean> | undefined;
    act(() => {
      ran = result.current.run("revoke", () => revoke.promise);
    });
    expect(result.current.busy).toBe("revoke");
    expect(result.current.announcement).toBe("");

    await act(async () => {
      revoke.resolve("Support bot key was revoked: it no longer works.");
      expect(await ran).toBe(true);
    });
    expect(result.current.busy).toBeUndefined();
    expect(result.current.announcement).toBe("Support bot key was revoked: it no longer works.");
  });

  it("runs one change at a time: another asked meanwhile does not run", async () => {
    const { result } = renderHook(() => useMutation<"publish" | "archive">());
    const publish = deferred();
    let archived = false;
    let second: Promise<boolean> | undefined;
    act(() => {
      void result.current.run("publish", () => publish.promise);
      // The same tick, before a render: the guard still holds.
      second = result.current.run("archive", async () => {
        archived = true;
      });
    });
    expect(await second).toBe(false);
    expect(archived).toBe(false);
    expect(result.current.busy).toBe("publish");
    await act(async () => publish.resolve());
    expect(result.current.busy).toBeUndefined();
  });

  it("keeps why each change failed apart, until it runs again or the screen dismisses it", async () => {
    const { result } = renderHook(() => useMutation<"create" | "revoke">());
    await act(async () => {
      expect(
        await result.current.run("revoke", () => Promise.reject(refusal("Only admins revoke keys"))),
      ).toBe(false);
    });
    // Anything thrown is shown as a request error, never swallowed.
    await act(async () => {
      await result.current.run("create", () => Promise.reject(new Error("The answer had no key")));
    });
    expect(result.current.error("revoke")?.reason).toBe("Only admins revoke keys");
    expect(result.current.error("create")).toBeInstanceOf(PlatformRequestError);
    expect(result.current.error("create")?.message).toBe("The answer had no key");
    expect(result.current.busy).toBeUndefined();

    act(() => result.current.dismiss("create"));
    expect(result.current.error("create")).toBeUndefined();
    expect(result.current.error("revoke")?.reason).toBe("Only admins revoke keys");

    const again = deferred();
    act(() => {
      void result.current.run("revoke", () => again.promise);
    });
    expect(result.current.error("revoke")).toBeUndefined();
    await act(async () => again.resolve());
  });

  it("leaves a failure the screen shows by its field out of the error", async () => {
    const { result } = renderHook(() => useMutation<"invite">());
    const shownUnderEmail: string[] = [];
    const onFailure = (error: PlatformRequestError) => {
      const onEmail = error.issues.find((issue) => issue.path === "email");
      if (onEmail) shownUnderEmail.push(onEmail.message);
      return onEmail !== undefined;
    };
    await act(async () => {
      await result.current.run(
        "invite",
        () => Promise.reject(refusal("Invalid body", [{ path: "email", message: "Not an email address" }])),
        { onFailure },
      );
    });
    expect(shownUnderEmail).toEqual(["Not an email address"]);
    expect(result.current.error("invite")).toBeUndefined();

    await act(async () => {
      await result.current.run("invite", () => Promise.reject(refusal("Only admins invite")), { onFailure });
    });
    expect(result.current.error("invite")?.reason).toBe("Only admins invite");
  });

  it("lets a change made another way use the same status line", () => {
    const { result } = renderHook(() => useMutation<"remove">());
    act(() => result.current.announce("ann@acme.test is now an admin."));
    expect(result.current.announcement).toBe("ann@acme.test is now an admin.");
    act(() => result.current.announce(""));
    expect(result.current.announcement).toBe("");
  });
});
