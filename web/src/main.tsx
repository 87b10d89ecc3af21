import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter } from "react-router";
import { App } from "./App";
import { detectStudioMode } from "./data/firebase/mode";
import { appRoutes } from "./routes";

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root element");

/**
 * The data source is chosen once, here. Local mode keeps `StudioSourceContext`'s default (the REST source);
 * Firebase mode (Hosting answers /__/firebase/init.json) loads the Firebase SDK and its source on demand,
 * so local mode's first download has no Firebase code in it.
 */
async function start(): Promise<ReactNode> {
  const mode = await detectStudioMode();
  const app = <App router={createBrowserRouter(appRoutes)} />;
  if (mode.kind === "local") return app;
  const [{ startFirebaseStudio }, { StudioSourceContext }] = await Promise.all([
    import("./data/firebase/start"),
    import("./data/studio"),
  ]);
  const source = await startFirebaseStudio(mode);
  return <StudioSourceContext.Provider value={source}>{app}</StudioSourceContext.Provider>;
}

start().then(
  (studio) => createRoot(container).render(<StrictMode>{studio}</StrictMode>),
  (error: unknown) => {
    container.textContent = `The studio could not start: ${error instanceof Error ? error.message : String(error)}`;
    throw error;
  },
);
