import { useId, useState, type ReactNode } from "react";
import { NavLink, useLocation, useNavigation } from "react-router";
import {
  Alert,
  AlertTitle,
  AppBar,
  Box,
  Button,
  Container,
  Drawer,
  IconButton,
  LinearProgress,
  Link,
  List,
  ListItemButton,
  ListItemText,
  Menu,
  MenuItem,
  Toolbar,
  Typography,
  useMediaQuery,
} from "@mui/material";
import { useTheme } from "@mui/material/styles";
import { hasPermission, type AdminPermission } from "../data/admin";
import { useSession, type Role } from "../data/session";
import { AccountMenu } from "./AccountMenu";
import { useSessionFacts } from "./SessionFacts";
import { WorkspaceSwitcher } from "./WorkspaceSwitcher";

interface NavItem {
  readonly to: string;
  readonly label: string;
  /** Only the index page: a link to `/` is not current on every page. */
  readonly end?: boolean;
  /** Shown only to people whose role holds it. */
  readonly permission?: AdminPermission;
}

/** Destinations that belong together, behind one button of the bar (a menu), listed in the narrow menu. */
interface NavGroup {
  readonly label: string;
  readonly items: readonly NavItem[];
}

type NavEntry = NavItem | NavGroup;

const isGroup = (entry: NavEntry): entry is NavGroup => "items" in entry;

const navEntries: readonly NavEntry[] = [
  { to: "/", label: "Overview", end: true },
  { to: "/agents", label: "Agents" },
  { to: "/knowledge", label: "Knowledge" },
  { to: "/tools", label: "Tools" },
  // Changing an agent with evidence: one button, so the bar still fits a laptop's width.
  {
    label: "Improve",
    items: [
      { to: "/prompts", label: "Prompts" },
      { to: "/experiments", label: "Experiments" },
      { to: "/evaluations", label: "Evaluations", permission: "conversations.view" },
    ],
  },
  // The history and the people in it: one button, so the bar still fits a laptop's width.
  {
    label: "Conversations",
    items: [
      { to: "/conversations", label: "Conversations" },
      { to: "/end-users", label: "End users", permission: "conversations.view" },
    ],
  },
  { to: "/analytics", label: "Analytics" },
  { to: "/monitor", label: "Health", permission: "monitor.view" },
  { to: "/settings", label: "Settings" },
  { to: "/api", label: "API" },
];

const allowed = (role: Role) => (item: NavItem) =>
  item.permission === undefined || hasPermission(role, item.permission);

/** The operator console: only for platform operators (the platform answers `GET /v1/admin/me`). */
const operatorEntry: NavItem = { to: "/admin", label: "Admin" };

/**
 * The destinations `role` may use, grouped as the bar shows them; a group with none left goes, and a group
 * with one left is that destination's own button. Operators also get the console.
 */
function navEntriesFor(role: Role, operator: boolean): NavEntry[] {
  const entries = operator ? [...navEntries, operatorEntry] : navEntries;
  return entries.flatMap((entry): NavEntry[] => {
    if (!isGroup(entry)) return allowed(role)(entry) ? [entry] : [];
    const items = entry.items.filter(allowed(role));
    if (items.length === 1 && items[0]) return [items[0]];
    return items.length === 0 ? [] : [{ ...entry, items }];
  });
}

/** The destinations `role` may use, one after the other (the narrow screens' menu). */
function navItemsFor(role: Role, operator: boolean): NavItem[] {
  return navEntriesFor(role, operator).flatMap((entry) => (isGroup(entry) ? entry.items : [entry]));
}

const navButtonSx = {
  px: { md: 1.25, lg: 2 },
  flexShrink: 0,
  opacity: 0.85,
  "&.active": { opacity: 1, bgcolor: "rgba(255, 255, 255, 0.16)" },
  "&:focus-visible": { outline: "2px solid #fff", outlineOffset: 2 },
} as const;

/**
 * The frame of every page: skip link, app bar, and the `main` landmark. Signed in, the bar has the main
 * navigation, the workspace switcher (for people in several workspaces) and the account menu.
 */
export function AppShell({ children }: { readonly children: ReactNode }) {
  // Route-level code splitting: while a lazy page downloads, the current page stays and this bar moves.
  const navigating = useNavigation().state !== "idle";
  const { session } = useSession();
  // Not an operator (a 404), or the platform could not tell: no console link, and nothing to say about it.
  const facts = useSessionFacts();
  const operator = facts.operator !== null;
  const { workspace } = facts;
  // Below `md` the destinations do not fit in the bar: they move into a menu.
  const compact = useMediaQuery(useTheme().breakpoints.down("md"));
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
        <Toolbar sx={{ gap: { xs: 1, md: 3 } }}>
          {session && compact && <NavigationMenu items={navItemsFor(session.role, operator)} />}
          <Typography
            component={NavLink}
            to="/"
            aria-label="Alchemist home"
            sx={{ color: "inherit", textDecoration: "none", fontWeight: 700, fontSize: "1.2rem" }}
          >
            Alchemist
          </Typography>
          {session && !compact ? (
            <Box
              component="nav"
              aria-label="Main"
              sx={{
                display: "flex",
                gap: 0.5,
                flex: 1,
                minWidth: 0,
                // One destination more for operators: tighter buttons, so the bar still fits 1280 pixels.
                ...(operator ? { "& > .MuiButton-root": { px: { lg: 1.25 } } } : {}),
              }}
            >
              {navEntriesFor(session.role, operator).map((entry) =>
                isGroup(entry) ? (
                  <NavGroupMenu key={entry.label} group={entry} />
                ) : (
                  <Button
                    key={entry.to}
                    component={NavLink}
                    to={entry.to}
                    end={entry.end ?? false}
                    color="inherit"
                    sx={navButtonSx}
                  >
                    {entry.label}
                  </Button>
                ),
              )}
            </Box>
          ) : (
            <Box sx={{ flex: 1 }} />
          )}
          {session && (
            <Box sx={{ display: "flex", alignItems: "center", gap: 0.5, minWidth: 0 }}>
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
        {session && workspace?.status === "suspended" && (
          <Alert severity="error" sx={{ mb: 3 }}>
            <AlertTitle>{workspace.name} is suspended</AlertTitle>
            {workspace.suspension && (
              <Typography variant="body2" sx={{ overflowWrap: "anywhere" }}>
                The platform operator&apos;s reason: {workspace.suspension.reason}
              </Typography>
            )}
            <Typography variant="body2">
              Its data is kept and can still be read and exported, but nothing can be changed and its agents
              do not answer until the operator resumes it.
            </Typography>
          </Alert>
        )}
        {children}
      </Container>
    </Box>
  );
}

/**
 * A group of destinations in the bar: a button (marked like a link when one of them is the current page) that
 * opens them as a menu of links.
 */
function NavGroupMenu({ group }: { readonly group: NavGroup }) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const { pathname } = useLocation();
  const menuId = useId();
  const open = anchor !== null;
  const isCurrent = (item: NavItem) => pathname === item.to || pathname.startsWith(`${item.to}/`);
  const current = group.items.some(isCurrent);
  return (
    <>
      <Button
        color="inherit"
        className={current ? "active" : undefined}
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={(event) => setAnchor(event.currentTarget)}
        sx={navButtonSx}
      >
        {group.label}
        <Box component="span" aria-hidden="true" sx={{ ml: 0.5, fontSize: "0.75em" }}>
          ▾
        </Box>
      </Button>
      <Menu id={menuId} anchorEl={anchor} open={open} onClose={() => setAnchor(null)}>
        {group.items.map((item) => (
          <MenuItem
            key={item.to}
            component={NavLink}
            to={item.to}
            selected={isCurrent(item)}
            aria-current={isCurrent(item) ? "page" : undefined}
            onClick={() => setAnchor(null)}
          >
            {item.label}
          </MenuItem>
        ))}
      </Menu>
    </>
  );
}

/** The main navigation on narrow screens: a menu button in the bar opens the destinations in a drawer. */
function NavigationMenu({ items }: { readonly items: readonly NavItem[] }) {
  const [open, setOpen] = useState(false);
  const { pathname } = useLocation();
  const isCurrent = (item: NavItem) => (item.end ? pathname === item.to : pathname.startsWith(item.to));
  const current = items.find(isCurrent);
  return (
    <>
      <IconButton
        color="inherit"
        edge="start"
        aria-label={current ? `Menu (current page: ${current.label})` : "Menu"}
        aria-haspopup="true"
        aria-expanded={open}
        onClick={() => setOpen(true)}
        sx={{ "&:focus-visible": { outline: "2px solid #fff", outlineOffset: 2 } }}
      >
        <Box component="span" aria-hidden="true" sx={{ fontSize: "1.4rem", lineHeight: 1 }}>
          ☰
        </Box>
      </IconButton>
      <Drawer
        anchor="left"
        open={open}
        onClose={() => setOpen(false)}
        slotProps={{ paper: { sx: { width: 260 } } }}
      >
        <Box component="nav" aria-label="Main">
          <Typography sx={{ px: 2, pt: 2, pb: 1, fontWeight: 700, fontSize: "1.2rem" }}>Alchemist</Typography>
          <List>
            {items.map((item) => (
              <ListItemButton
                key={item.to}
                component={NavLink}
                to={item.to}
                end={item.end ?? false}
                onClick={() => setOpen(false)}
                selected={isCurrent(item)}
                aria-current={isCurrent(item) ? "page" : undefined}
              >
                <ListItemText primary={item.label} />
              </ListItemButton>
            ))}
          </List>
        </Box>
      </Drawer>
    </>
  );
}
