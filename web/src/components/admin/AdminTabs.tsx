import { Link as RouterLink } from "react-router";
import { Tab, Tabs } from "@mui/material";
import { adminPath, adminTabs, type AdminTabId } from "./sections";

/** The id of a tab's element, which its panel is labelled by. */
export const adminTabElementId = (tab: AdminTabId) => `admin-tab-${tab}`;
export const adminPanelId = "admin-panel";

/** The console's tabs, each a link to its own address; scrolls sideways on a phone. */
export function AdminTabs({ current }: { readonly current: AdminTabId }) {
  return (
    <Tabs
      value={current}
      aria-label="Admin"
      variant="scrollable"
      scrollButtons="auto"
      allowScrollButtonsMobile
      sx={{ borderBottom: 1, borderColor: "divider" }}
    >
      {adminTabs.map((tab) => (
        <Tab
          key={tab.id}
          value={tab.id}
          label={tab.label}
          id={adminTabElementId(tab.id)}
          component={RouterLink}
          to={adminPath(tab.id)}
          {...(tab.id === current ? { "aria-controls": adminPanelId } : {})}
        />
      ))}
    </Tabs>
  );
}
