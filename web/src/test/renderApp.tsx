import { render } from "@testing-library/react";
import { createMemoryRouter } from "react-router";
import { App } from "../App";
import { appRoutes } from "../routes";

/** Renders the whole studio (real routes, theme and data hooks) as if the browser opened `path`. */
export function renderApp(path: string) {
  const router = createMemoryRouter(appRoutes, { initialEntries: [path] });
  return { router, ...render(<App router={router} />) };
}
