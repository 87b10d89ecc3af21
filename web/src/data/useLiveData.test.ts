import { act, renderHook } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { Watch } from "./live";
import { PlatformRequestError } from "./platform";
import { useLiveData } from "./useLiveData";

describe("useLiveData", () => {
  it("is pending until the first value, then follows the watch, and keeps the value when it fails", async () => {
    let listener: Parameters<Watch<number>>[0] | undefined;
    const stop = vi.fn();
    const watch: Watch<number> = (l) => {
      listener = l;
      return stop;
    };
    const { result, unmount } = renderHook(() => useLiveData(watch));
    expect(result.current).toMatchObject({ data: undefined, pending: true });

    act(() => listener?.next(3));
    expect(result.current).toMatchObject({ data: 3, pending: false, error: undefined });

    act(() => listener?.error(new PlatformRequestError("network", "/v1/things", "no answer")));
    expect(result.current.data).toBe(3);
    expect(result.current.error?.message).toBe("no answer");

    act(() => listener?.next(4));
    expect(result.current).toMatchObject({ data: 4, error: undefined });

    unmount();
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it("starts over on retry", () => {
    const starts = vi.fn();
    const watch: Watch<number> = () => {
      starts();
      return () => undefined;
    };
    const { result } = renderHook(() => useLiveData(watch));
    expect(starts).toHaveBeenCalledTimes(1);
    act(() => result.current.retry());
    expect(starts).toHaveBeenCalledTimes(2);
  });
});
