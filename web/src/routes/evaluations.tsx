import type { ReactNode } from "react";
import { Link as RouterLink, useParams } from "react-router";
import { Alert, Box, Link, Stack } from "@mui/material";
import { CorrectionsTab } from "../components/evaluations/CorrectionsTab";
import { DatasetsTab } from "../components/evaluations/DatasetsTab";
import { EvaluationsOnlyForEditors } from "../components/evaluations/EvaluationsOnlyForEditors";
import {
  EvaluationsTabs,
  evaluationPanelId,
  evaluationTabElementId,
} from "../components/evaluations/EvaluationsTabs";
import { ReplaysTab } from "../components/evaluations/ReplaysTab";
import { RunsTab } from "../components/evaluations/RunsTab";
import { evaluationsPath, evaluationTabs, type EvaluationTabId } from "../components/evaluations/sections";
import { SimulationsTab } from "../components/evaluations/SimulationsTab";
import { TuningTab } from "../components/evaluations/TuningTab";
import { PageHeader } from "../components/PageHeader";
import { usePageTitle } from "../components/usePageTitle";
import { hasPermission } from "../data/admin";
import { roleAtLeast, useSession } from "../data/session";

const intro =
  "Check an agent before it changes: datasets of questions, runs against a version or the draft, runs compared item by item, replays of real answers, simulated users, editors' corrections, and training data from what worked.";

/**
 * Loaded on demand (see routes/index.tsx). `/evaluations/:tab?`: the Sandbox and Agent Tuning for editors and
 * up (`conversations.view`: results hold end users' questions); viewers are told so and nothing is asked.
 */
export function EvaluationsPage() {
  const { tab } = useParams();
  const { session } = useSession();
  const current = evaluationTabs.find((t) => t.id === (tab ?? "datasets"));
  usePageTitle(current && current.id !== "datasets" ? `${current.label} · Evaluations` : "Evaluations");
  if (!session) return null;
  if (!hasPermission(session.role, "conversations.view")) {
    return (
      <Stack spacing={3}>
        <PageHeader title="Evaluations" />
        <EvaluationsOnlyForEditors />
      </Stack>
    );
  }
  const canEdit = roleAtLeast(session.role, "editor");
  return (
    <Stack spacing={3}>
      <PageHeader title="Evaluations" intro={intro} />
      {current ? (
        <Box>
          <EvaluationsTabs current={current.id} />
          <Box
            id={evaluationPanelId}
            role="tabpanel"
            aria-labelledby={evaluationTabElementId(current.id)}
            sx={{ pt: 3 }}
          >
            <Box key={current.id}>{tabContent(current.id, canEdit)}</Box>
          </Box>
        </Box>
      ) : (
        <Alert severity="warning">
          The Evaluations page has no tab called “{tab}”.{" "}
          <Link component={RouterLink} to={evaluationsPath("datasets")}>
            Go to Datasets
          </Link>
        </Alert>
      )}
    </Stack>
  );
}

function tabContent(tab: EvaluationTabId, canEdit: boolean): ReactNode {
  switch (tab) {
    case "datasets":
      return <DatasetsTab canEdit={canEdit} />;
    case "runs":
      return <RunsTab />;
    case "replays":
      return <ReplaysTab canEdit={canEdit} />;
    case "simulations":
      return <SimulationsTab canEdit={canEdit} />;
    case "corrections":
      return <CorrectionsTab canEdit={canEdit} />;
    case "tuning":
      return <TuningTab />;
  }
}
