import { Link as RouterLink } from "react-router";
import { Tab, Tabs } from "@mui/material";
import { evaluationsPath, evaluationTabs, type EvaluationTabId } from "./sections";

export const evaluationTabElementId = (tab: EvaluationTabId) => `evaluations-tab-${tab}`;
export const evaluationPanelId = "evaluations-panel";

/** The Evaluations page's tabs, each a link to its own address; scrolls sideways on a phone. */
export function EvaluationsTabs({ current }: { readonly current: EvaluationTabId }) {
  return (
    <Tabs
      value={current}
      aria-label="Evaluations"
      variant="scrollable"
      scrollButtons="auto"
      allowScrollButtonsMobile
      sx={{ borderBottom: 1, borderColor: "divider" }}
    >
      {evaluationTabs.map((tab) => (
        <Tab
          key={tab.id}
          value={tab.id}
          label={tab.label}
          id={evaluationTabElementId(tab.id)}
          component={RouterLink}
          to={evaluationsPath(tab.id)}
          {...(tab.id === current ? { "aria-controls": evaluationPanelId } : {})}
        />
      ))}
    </Tabs>
  );
}
