import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter } from "react-router";
import { App } from "./App";
import { detectStudioMode } from "./data/firebase/mode";
import { appRoutes } from "./routes";

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root element");

/**
 * The data source is chosen once, here. Local mode reads and changes through the REST source, fetched while the
 * mode is detected (no extra round trip, and not in the entry chunk); Firebase mode (Hosting answers
 * /__/firebase/init.json) loads the Firebase SDK and its source on demand, so local mode's first download has no
 * Firebase code in it.
 */
async function start(): Promise<ReactNode> {
  const rest = import("./data/rest/source");
  const mode = await detectStudioMode();
  const router = createBrowserRouter(appRoutes);
  if (mode.kind === "local") return <App router={router} source={(await rest).restSource} />;
  rest.catch(() => undefined); // fetched for nothing in Firebase mode: a failure there is no failure
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
