import { useId, useState } from "react";
import { Link as RouterLink } from "react-router";
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormLabel,
  Link,
  Paper,
  Radio,
  RadioGroup,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useAlertRules } from "../../data/hooks/monitor";
import type { ActiveAlert, AlertMetric, AlertStatus } from "../../data/monitor";
import type { PlatformRequestError } from "../../data/platform";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import { formatInstant } from "../shared/format";
import { FormErrorAlert } from "../FormErrorAlert";
import { RelativeTime } from "../RelativeTime";
import { SectionHeader } from "../shared/SectionHeader";
import { compactCells, visuallyHidden } from "../shared/tableStyles";
import { formatMetricValue, formatMinutes, ruleStatePresentation, severityPresentation } from "./format";
import { PresentationChip } from "./PresentationChip";
import { incidentPath } from "./sections";

/** The silences on offer, in minutes: a quarter of an hour to a week. */
export const silenceOptions = [15, 60, 240, 1440, 10_080] as const;

type AlertAction = `acknowledge:${string}` | `silence:${string}`;

/** Whether the alert is silenced at `now`. */
export function isSilenced(alert: Pick<ActiveAlert, "silencedUntil">, now: Date = new Date()): boolean {
  return alert.silencedUntil !== null && Date.parse(alert.silencedUntil) > now.getTime();
}

interface ActiveAlertsProps {
  readonly alerts: readonly ActiveAlert[];
  /** Acknowledging and silencing need `monitor.manage`. */
  readonly canManage: boolean;
  /** The alert's state after a change, as the platform answered it. */
  readonly onChanged: (ruleId: string, status: AlertStatus) => void;
}

/** Alerts pending, firing or resolving now, with what to do about them. */
export function ActiveAlerts({ alerts, canManage, onChanged }: ActiveAlertsProps) {
  const headingId = useId();
  const studio = useStudio();
  const changes = useMutation<AlertAction>();
  const [silencing, setSilencing] = useState<ActiveAlert | undefined>(undefined);

  const acknowledge = (alert: ActiveAlert) =>
    void changes.run(`acknowledge:${alert.ruleId}`, async () => {
      onChanged(alert.ruleId, await studio.acknowledgeAlert(alert.ruleId));
      return `${alert.ruleName} is acknowledged: it will not notify again until it resolves.`;
    });

  const silence = (alert: ActiveAlert, minutes: number) =>
    void changes.run(`silence:${alert.ruleId}`, async () => {
      onChanged(alert.ruleId, await studio.silenceAlert(alert.ruleId, minutes));
      setSilencing(undefined);
      return minutes === 0
        ? `${alert.ruleName} notifies again.`
        : `${alert.ruleName} is silenced for ${formatMinutes(minutes)}.`;
    });

  const failed = alerts.flatMap((alert) => {
    const error = changes.error(`acknowledge:${alert.ruleId}`);
    return error ? [{ alert, error }] : [];
  });

  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Active alerts"
        level="h3"
        description="Alert rules whose condition holds now. Acknowledge one to stop its repeated notifications, or silence it for a while."
      />
      {alerts.length === 0 ? (
        <Typography color="text.secondary">No alert is pending or firing.</Typography>
      ) : (
        <AlertTable
          alerts={alerts}
          canManage={canManage}
          busy={changes.busy}
          headingId={headingId}
          onAcknowledge={acknowledge}
          onSilence={(alert) => {
            changes.dismiss(`silence:${alert.ruleId}`);
            setSilencing(alert);
          }}
        />
      )}
      {failed.map(({ alert, error }) => (
        <FormErrorAlert key={alert.ruleId} title={`${alert.ruleName} was not acknowledged`} error={error} />
      ))}
      <Typography role="status" color="text.secondary">
        {changes.announcement}
      </Typography>
      <SilenceDialog
        alert={silencing}
        pending={silencing !== undefined && changes.busy === `silence:${silencing.ruleId}`}
        error={silencing && changes.error(`silence:${silencing.ruleId}`)}
        onSilence={(minutes) => silencing && silence(silencing, minutes)}
        onCancel={() => setSilencing(undefined)}
      />
    </Stack>
  );
}

interface AlertTableProps {
  readonly alerts: readonly ActiveAlert[];
  readonly canManage: boolean;
  readonly busy: AlertAction | undefined;
  readonly headingId: string;
  readonly onAcknowledge: (alert: ActiveAlert) => void;
  readonly onSilence: (alert: ActiveAlert) => void;
}

function AlertTable({ alerts, canManage, busy, headingId, onAcknowledge, onSilence }: AlertTableProps) {
  // Active alerts name their rule, not its metric: the rules say how to write the value.
  const rules = useAlertRules();
  const metricOf = (ruleId: string): AlertMetric | undefined =>
    rules.data?.find((rule) => rule.id === ruleId)?.metric;
  return (
    <TableContainer component={Paper}>
      <Table size="small" aria-labelledby={headingId} sx={compactCells}>
        <TableHead>
          <TableRow>
            <TableCell>Alert</TableCell>
            <TableCell>Severity</TableCell>
            <TableCell>State</TableCell>
            <TableCell align="right">Value</TableCell>
            {canManage && (
              <TableCell align="right">
                <span style={visuallyHidden}>Actions</span>
              </TableCell>
            )}
          </TableRow>
        </TableHead>
        <TableBody>
          {alerts.map((alert) => {
            const metric = metricOf(alert.ruleId);
            const silenced = isSilenced(alert);
            return (
              <TableRow key={alert.ruleId}>
                <TableCell sx={{ overflowWrap: "anywhere" }}>
                  <Box sx={{ fontWeight: 600 }}>{alert.ruleName}</Box>
                  <Typography variant="body2" color="text.secondary">
                    {[
                      alert.since && (
                        <span key="since">
                          Since <RelativeTime iso={alert.since} />
                        </span>
                      ),
                      alert.acknowledgedBy && `acknowledged by ${alert.acknowledgedBy}`,
                      silenced &&
                        alert.silencedUntil &&
                        `silenced until ${formatInstant(alert.silencedUntil)}`,
                    ]
                      .filter(Boolean)
                      .flatMap((part, i) => (i === 0 ? [part] : [" · ", part]))}
                  </Typography>
                  {alert.incidentId && (
                    <Link component={RouterLink} to={incidentPath(alert.incidentId)} variant="body2">
                      View the incident
                    </Link>
                  )}
                </TableCell>
                <TableCell>
                  <PresentationChip presentation={severityPresentation[alert.severity]} />
                </TableCell>
                <TableCell>
                  <PresentationChip presentation={ruleStatePresentation[alert.state]} />
                </TableCell>
                <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                  {metric
                    ? formatMetricValue(metric, alert.value)
                    : alert.value === null
                      ? "—"
                      : String(alert.value)}
                </TableCell>
                {canManage && (
                  <TableCell align="right">
                    <Stack
                      direction={{ xs: "column", sm: "row" }}
                      spacing={1}
                      sx={{ justifyContent: "flex-end" }}
                    >
                      <Button
                        size="small"
                        variant="outlined"
                        disabled={alert.acknowledgedBy !== null}
                        aria-label={`Acknowledge ${alert.ruleName}`}
                        onClick={() => onAcknowledge(alert)}
                      >
                        {busy === `acknowledge:${alert.ruleId}`
                          ? "Acknowledging…"
                          : alert.acknowledgedBy !== null
                            ? "Acknowledged"
                            : "Acknowledge"}
                      </Button>
                      <Button
                        size="small"
                        aria-label={`${silenced ? "Change the silence of" : "Silence"} ${alert.ruleName}`}
                        onClick={() => onSilence(alert)}
                      >
                        {silenced ? "Silenced" : "Silence"}
                      </Button>
                    </Stack>
                  </TableCell>
                )}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

interface SilenceDialogProps {
  /** The alert to silence; the dialog is open while there is one. */
  readonly alert: ActiveAlert | undefined;
  readonly pending: boolean;
  readonly error: PlatformRequestError | undefined;
  readonly onSilence: (minutes: number) => void;
  readonly onCancel: () => void;
}

function SilenceDialog({ alert, pending, error, onSilence, onCancel }: SilenceDialogProps) {
  const titleId = useId();
  const [minutes, setMinutes] = useState<number>(60);
  const silenced = alert !== undefined && isSilenced(alert);
  return (
    <Dialog open={alert !== undefined} onClose={onCancel} aria-labelledby={titleId} maxWidth="xs" fullWidth>
      <DialogTitle id={titleId}>Silence {alert?.ruleName ?? "the alert"}</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          <Typography>
            While silenced, the alert notifies nobody. It still shows here, and its incident still records
            what happens.
          </Typography>
          {silenced && alert.silencedUntil && (
            <Typography>Silenced now until {formatInstant(alert.silencedUntil)}.</Typography>
          )}
          <FormControl>
            <FormLabel id={`${titleId}-for`}>For</FormLabel>
            <RadioGroup
              aria-labelledby={`${titleId}-for`}
              value={String(minutes)}
              onChange={(event) => setMinutes(Number(event.target.value))}
            >
              {silenceOptions.map((option) => (
                <FormControlLabel
                  key={option}
                  value={String(option)}
                  control={<Radio />}
                  label={formatMinutes(option)}
                />
              ))}
            </RadioGroup>
          </FormControl>
          {error && <FormErrorAlert title="The silence did not change" error={error} />}
        </Stack>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2, flexWrap: "wrap", gap: 1 }}>
        {silenced && (
          <Button color="inherit" onClick={() => !pending && onSilence(0)} sx={{ mr: "auto" }}>
            Lift the silence
          </Button>
        )}
        <Button onClick={onCancel}>Cancel</Button>
        <Button variant="contained" onClick={() => !pending && onSilence(minutes)}>
          {pending ? "Working…" : `Silence for ${formatMinutes(minutes)}`}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
