import { render } from "@testing-library/react";
import { createMemoryRouter } from "react-router";
import { App } from "../App";
import { restSource } from "../data/rest/source";
import type { StudioSource } from "../data/source";
import { appRoutes } from "../routes";

/**
 * Renders the whole studio (real routes, theme and data hooks) as if the browser opened `path`. Its data
 * comes from the REST source, over the `fetch` a test stubs (platformFetch.ts), unless it passes another.
 */
export function renderApp(path: string, source: StudioSource = restSource) {
  const router = createMemoryRouter(appRoutes, { initialEntries: [path] });
  return { router, ...render(<App router={router} source={source} />) };
}
