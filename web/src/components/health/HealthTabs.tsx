import { Link as RouterLink } from "react-router";
import { Tab, Tabs } from "@mui/material";
import { healthPath, healthTabs, type HealthTabId } from "./sections";

/** The id of a tab's element, which its panel is labelled by. */
export const healthTabElementId = (tab: HealthTabId) => `health-tab-${tab}`;
export const healthPanelId = "health-panel";

/**
 * The Health page's tabs, each a link to its own address (so a tab can be shared, and Back returns to the
 * previous one). Scrolls sideways on a phone.
 */
export function HealthTabs({ current }: { readonly current: HealthTabId }) {
  return (
    <Tabs
      value={current}
      aria-label="Health"
      variant="scrollable"
      scrollButtons="auto"
      allowScrollButtonsMobile
      sx={{ borderBottom: 1, borderColor: "divider" }}
    >
      {healthTabs.map((tab) => (
        <Tab
          key={tab.id}
          value={tab.id}
          label={tab.label}
          id={healthTabElementId(tab.id)}
          component={RouterLink}
          to={healthPath(tab.id)}
          {...(tab.id === current ? { "aria-controls": healthPanelId } : {})}
        />
      ))}
    </Tabs>
  );
}
