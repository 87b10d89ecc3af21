import { CssBaseline, ThemeProvider } from "@mui/material";
import { RouterProvider, type createBrowserRouter } from "react-router";
import { theme } from "./theme";

type Router = ReturnType<typeof createBrowserRouter>;

/** The studio: theme and router. The router is passed in so tests can start it at any path in memory. */
export function App({ router }: { readonly router: Router }) {
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <RouterProvider router={router} />
    </ThemeProvider>
  );
}
