import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter } from "react-router";
import { App } from "./App";
import { detectStudioMode } from "./data/firebase/mode";
import { restSource } from "./data/rest/source";
import { appRoutes } from "./routes";

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root element");

/**
 * The data source is chosen once, here. Local mode reads and changes through the REST source; Firebase mode
 * (Hosting answers /__/firebase/init.json) loads the Firebase SDK and its source on demand, so local mode's
 * first download has no Firebase code in it.
 */
async function start(): Promise<ReactNode> {
  const mode = await detectStudioMode();
  const router = createBrowserRouter(appRoutes);
  if (mode.kind === "local") return <App router={router} source={restSource} />;
  const { startFirebaseStudio } = await import("./data/firebase/start");
  return <App router={router} source={await startFirebaseStudio(mode)} />;
}

start().then(
  (studio) => createRoot(container).render(<StrictMode>{studio}</StrictMode>),
  (error: unknown) => {
    container.textContent = `The studio could not start: ${error instanceof Error ? error.message : String(error)}`;
    throw error;
  },
);
