import { useCallback, useEffect } from "react";
import { useBlocker, type BlockerFunction } from "react-router";
import { ConfirmDialog } from "../ConfirmDialog";

/**
 * Asks before leaving the page while files are still being sent (leaving cancels them): inside the studio
 * with a dialog, and when closing or reloading the tab with the browser's own prompt. Files already sent
 * keep being processed by the platform either way.
 */
export function LeaveWhileUploadingGuard({ sending }: { readonly sending: number }) {
  const busy = sending > 0;
  const blocker = useBlocker(
    useCallback<BlockerFunction>(
      ({ currentLocation, nextLocation }) => busy && currentLocation.pathname !== nextLocation.pathname,
      [busy],
    ),
  );

  useEffect(() => {
    if (!busy) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [busy]);

  useEffect(() => {
    // The last file finished while the question was open: nothing is lost by leaving now.
    if (!busy && blocker.state === "blocked") blocker.proceed();
  }, [busy, blocker]);

  return (
    <ConfirmDialog
      open={blocker.state === "blocked"}
      title="Leave while uploading?"
      confirmLabel="Leave and cancel uploads"
      destructive
      onConfirm={() => blocker.proceed?.()}
      onCancel={() => blocker.reset?.()}
    >
      {sending === 1 ? "1 file is" : `${sending} files are`} still being sent. If you leave now, the
      unfinished uploads are cancelled. Files already uploaded keep being processed.
    </ConfirmDialog>
  );
}
