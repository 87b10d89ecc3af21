import { CssBaseline, ThemeProvider } from "@mui/material";
import { RouterProvider, type createBrowserRouter } from "react-router";
import { SessionFactsProvider } from "./components/SessionFacts";
import type { StudioSource } from "./data/source";
import { StudioSourceContext } from "./data/studio";
import { theme } from "./theme";

type Router = ReturnType<typeof createBrowserRouter>;

interface AppProps {
  /** Passed in so tests can start it at any path in memory. */
  readonly router: Router;
  /** Where pages read and change the workspace's data: the REST or the Firebase source (main.tsx chooses). */
  readonly source: StudioSource;
}

/** The studio: theme, data source and router. */
export function App({ router, source }: AppProps) {
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <StudioSourceContext.Provider value={source}>
        <SessionFactsProvider>
          <RouterProvider router={router} />
        </SessionFactsProvider>
      </StudioSourceContext.Provider>
    </ThemeProvider>
  );
}
