import { useCallback, useEffect, useState } from "react";

/** What a copy button says for two seconds after a click. */
export type CopyOutcome = "yes" | "failed" | undefined;

/**
 * Copies text to the clipboard and remembers, for two seconds, whether it worked, so the button can say
 * "Copied" or "Copy failed". The clipboard API exists only in secure contexts (https, localhost): elsewhere
 * it says so instead of failing silently.
 */
export function useCopy(text: string): { readonly copied: CopyOutcome; readonly copy: () => void } {
  const [copied, setCopied] = useState<CopyOutcome>(undefined);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(undefined), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = useCallback(() => {
    if (!navigator.clipboard) {
      setCopied("failed");
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setCopied("yes"),
      () => setCopied("failed"),
    );
  }, [text]);
  return { copied, copy };
}

export const copyLabel = (copied: CopyOutcome): string =>
  copied === "yes" ? "Copied" : copied === "failed" ? "Copy failed" : "Copy";
