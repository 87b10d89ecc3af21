import { createTheme } from "@mui/material/styles";

/** Code, paths and commands; system fonts only, so the studio looks right offline. */
export const monospace =
  'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace';

const focusRing = "2px solid #7c6cf0";

/**
 * A dark orange for warnings written small (chips): white on it, or it on white, reads at 6.1:1 (WCAG AA); the
 * palette's warning gives 3.1:1.
 */
export const warningDark = "#a84300";

export const theme = createTheme({
  palette: {
    mode: "light",
    primary: { main: "#4a3aa8" },
    secondary: { main: "#b3541e" },
    background: { default: "#f6f5fb", paper: "#ffffff" },
  },
  shape: { borderRadius: 10 },
  typography: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    h1: { fontSize: "2rem", fontWeight: 700, letterSpacing: "-0.01em" },
    h2: { fontSize: "1.25rem", fontWeight: 600 },
    h3: { fontSize: "1.05rem", fontWeight: 600 },
    button: { textTransform: "none", fontWeight: 600 },
  },
  components: {
    MuiCssBaseline: {
      styleOverrides: {
        // Keyboard users always see where they are, on every surface (MUI's ripple alone is faint on the AppBar).
        ":focus-visible": { outline: focusRing, outlineOffset: 2 },
        code: { fontFamily: monospace },
      },
    },
    MuiPaper: { defaultProps: { variant: "outlined" } },
    MuiChip: { styleOverrides: { label: { fontWeight: 600 } } },
  },
});
