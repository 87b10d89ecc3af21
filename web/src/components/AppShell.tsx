import type { ReactNode } from "react";
import { NavLink, useNavigation } from "react-router";
import { AppBar, Box, Button, Container, LinearProgress, Link, Toolbar, Typography } from "@mui/material";
import { useSession } from "../data/session";
import { AccountMenu } from "./AccountMenu";
import { WorkspaceSwitcher } from "./WorkspaceSwitcher";

const navItems = [
  { to: "/", label: "Overview", end: true },
  { to: "/agents", label: "Agents" },
  { to: "/knowledge", label: "Knowledge" },
  { to: "/conversations", label: "Conversations" },
  { to: "/analytics", label: "Analytics" },
  { to: "/settings", label: "Settings" },
  { to: "/api", label: "API" },
] as const;

/**
 * The frame of every page: skip link, app bar, and the `main` landmark. Signed in, the bar has the main
 * navigation, the workspace switcher (for people in several workspaces) and the account menu.
 */
export function AppShell({ children }: { readonly children: ReactNode }) {
  // Route-level code splitting: while a lazy page downloads, the current page stays and this bar moves.
  const navigating = useNavigation().state !== "idle";
  const { session } = useSession();
  return (
    <Box sx={{ minHeight: "100vh", display: "flex", flexDirection: "column" }}>
      <Link
        href="#main"
        sx={{
          position: "absolute",
          left: 8,
          top: -48,
          zIndex: (theme) => theme.zIndex.tooltip,
          bgcolor: "background.paper",
          px: 2,
          py: 1,
          borderRadius: 1,
          "&:focus-visible": { top: 8 },
        }}
      >
        Skip to content
      </Link>
      <AppBar position="sticky" elevation={0}>
        <Toolbar
          sx={{
            // One row from `sm` up; on phones the navigation gets a row of its own under the brand.
            display: "grid",
            gridTemplateColumns: "auto 1fr auto",
            gridTemplateAreas: { xs: '"brand . account" "nav nav nav"', sm: '"brand nav account"' },
            columnGap: { xs: 1, sm: 3 },
            py: { xs: 0.5, sm: 0 },
          }}
        >
          <Typography
            component={NavLink}
            to="/"
            aria-label="Alchemist home"
            sx={{
              gridArea: "brand",
              color: "inherit",
              textDecoration: "none",
              fontWeight: 700,
              fontSize: "1.2rem",
            }}
          >
            Alchemist
          </Typography>
          {session && (
            <Box
              component="nav"
              aria-label="Main"
              sx={{ gridArea: "nav", display: "flex", gap: { xs: 0.5, sm: 1 }, overflowX: "auto" }}
            >
              {navItems.map((item) => (
                <Button
                  key={item.to}
                  component={NavLink}
                  to={item.to}
                  end={"end" in item ? item.end : false}
                  color="inherit"
                  sx={{
                    px: { xs: 1.5, sm: 2 },
                    flexShrink: 0,
                    opacity: 0.85,
                    "&.active": { opacity: 1, bgcolor: "rgba(255, 255, 255, 0.16)" },
                    "&:focus-visible": { outline: "2px solid #fff", outlineOffset: 2 },
                  }}
                >
                  {item.label}
                </Button>
              ))}
            </Box>
          )}
          {session && (
            <Box sx={{ gridArea: "account", display: "flex", alignItems: "center", gap: 0.5, minWidth: 0 }}>
              {session.workspaces.length > 1 && <WorkspaceSwitcher session={session} />}
              <AccountMenu session={session} />
            </Box>
          )}
        </Toolbar>
        {navigating && (
          <LinearProgress
            color="secondary"
            aria-label="Loading page"
            sx={{ position: "absolute", bottom: 0, left: 0, right: 0 }}
          />
        )}
      </AppBar>
      <Container
        component="main"
        id="main"
        tabIndex={-1}
        maxWidth="lg"
        sx={{ flex: 1, py: { xs: 3, sm: 5 }, px: { xs: 2, sm: 3 }, "&:focus": { outline: "none" } }}
      >
        {children}
      </Container>
    </Box>
  );
}
