/**
 * Where pages get the studio's data source: the entry point (main.tsx, through `App`) provides the REST or the
 * Firebase source, tests provide theirs. There is no default, so a screen rendered without one fails at once
 * instead of talking to a source nobody chose. Pages read with the hooks under `hooks/` and change with
 * `useStudio()`; they never call `fetch` and never know where data comes from.
 */
import { createContext, useContext } from "react";
import type { StudioSource } from "./source";

export const StudioSourceContext = createContext<StudioSource | undefined>(undefined);

/** The source, for changes (`useStudio().publishAgent(…)`); reads go through the hooks. */
export function useStudio(): StudioSource {
  const source = useContext(StudioSourceContext);
  if (!source) throw new Error("No data source: render the studio inside StudioSourceContext.Provider.");
  return source;
}
