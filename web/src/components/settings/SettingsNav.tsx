import { NavLink } from "react-router";
import { Box, List, ListItemButton, ListItemText } from "@mui/material";
import { settingsPath, type SettingsSection } from "../settingsSections";

/**
 * The sections someone may use, each a link: a list beside the section on wide screens, rows of links
 * above it on phones. The current one is marked for screen readers (`aria-current`).
 */
export function SettingsNav({ sections }: { readonly sections: readonly SettingsSection[] }) {
  return (
    <Box component="nav" aria-label="Settings sections">
      <List
        disablePadding
        sx={{
          display: "flex",
          flexDirection: { xs: "row", md: "column" },
          gap: { xs: 0.5, md: 0.25 },
          flexWrap: { xs: "wrap", md: "nowrap" },
        }}
      >
        {sections.map((section) => (
          <li key={section.id} style={{ flexShrink: 0 }}>
            <ListItemButton
              component={NavLink}
              to={settingsPath(section.id)}
              sx={{
                borderRadius: 1,
                py: { xs: 0.5, md: 1 },
                "&.active": {
                  bgcolor: "action.selected",
                  "& .MuiListItemText-primary": { color: "primary.main", fontWeight: 700 },
                },
              }}
            >
              <ListItemText
                primary={section.label}
                secondary={section.summary}
                slotProps={{
                  primary: { sx: { fontWeight: 600, whiteSpace: "nowrap" } },
                  secondary: { sx: { display: { xs: "none", md: "block" } } },
                }}
              />
            </ListItemButton>
          </li>
        ))}
      </List>
    </Box>
  );
}
