import { useId, useState, type FormEvent } from "react";
import { Link as RouterLink } from "react-router";
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  FormHelperText,
  Link,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import type { Agent } from "../../../data/agents";
import type { PlatformRequestError } from "../../../data/platform";
import type { RemoteData } from "../../../data/useRemoteData";
import {
  readOriginLines,
  widgetLimits,
  type Widget,
  type WidgetInput,
  type WidgetPatch,
} from "../../../data/widgets";
import { defaultEnvironment, standardEnvironments } from "../../../data/environments";
import { useEnvironments } from "../../../data/hooks/environments";
import { FormErrorAlert } from "../../FormErrorAlert";

/** What the dialog asks for: a new widget (`widget` undefined), or a change to `widget`. */
export type WidgetSettingsRequest =
  | { readonly kind: "create"; readonly input: WidgetInput }
  | { readonly kind: "update"; readonly widget: Widget; readonly patch: WidgetPatch };

interface WidgetSettingsDialogProps {
  readonly open: boolean;
  /** The widget to change; none to create one. */
  readonly widget: Widget | undefined;
  readonly agents: RemoteData<Agent[]>;
  readonly pending: boolean;
  readonly error: PlatformRequestError | undefined;
  readonly onSubmit: (request: WidgetSettingsRequest) => void;
  /** A field was edited: the platform's last refusal no longer applies. */
  readonly onEdit: () => void;
  readonly onCancel: () => void;
}

interface Problems {
  readonly name?: string | undefined;
  readonly agentId?: string | undefined;
  readonly origins?: readonly string[] | undefined;
}

const isPublished = (agent: Agent) => agent.publishedVersion !== null && agent.status !== "archived";

/**
 * A widget's name, agent, allowed origins and identity verification: to create one, or to change one (only
 * what changed is sent). Origins are checked line by line before anything is sent.
 */
export function WidgetSettingsDialog({
  open,
  widget,
  agents,
  pending,
  error,
  onSubmit,
  onEdit,
  onCancel,
}: WidgetSettingsDialogProps) {
  const titleId = useId();
  const verificationHelpId = useId();
  const published = agents.data?.filter(isPublished) ?? [];
  const [name, setName] = useState(widget?.name ?? "");
  const [agentId, setAgentId] = useState(widget?.agentId ?? "");
  const [origins, setOrigins] = useState(widget?.allowedOrigins.join("\n") ?? "");
  const [verification, setVerification] = useState(widget?.identityVerification ?? false);
  const [environment, setEnvironment] = useState(widget?.environment ?? defaultEnvironment);
  const environments = useEnvironments().data ?? standardEnvironments;
  const [problems, setProblems] = useState<Problems>({});

  // Until someone picks one, a new widget talks to the first published agent.
  const chosenAgent = agentId || (widget ? "" : (published[0]?.id ?? ""));
  const current = widget && !published.some((a) => a.id === widget.agentId) ? widget.agentId : undefined;

  const issue = (root: string) =>
    error?.issues.filter((i) => i.path === root || i.path.startsWith(`${root}.`)).map((i) => i.message) ?? [];
  const nameProblem = problems.name ?? issue("name")[0];
  const agentProblem = problems.agentId ?? issue("agentId")[0];
  const originProblems = problems.origins ?? issue("allowedOrigins");
  const onFields = issue("name").length + issue("agentId").length + issue("allowedOrigins").length > 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    const trimmed = name.trim();
    const read = readOriginLines(origins);
    const found: Problems = {
      name:
        trimmed.length > widgetLimits.name
          ? `At most ${widgetLimits.name} characters.`
          : widget && trimmed === ""
            ? "Give the widget a name, such as the site that embeds it."
            : undefined,
      agentId: chosenAgent === "" ? "Choose the published agent that answers in this widget." : undefined,
      origins: read.problems.length > 0 ? read.problems : undefined,
    };
    setProblems(found);
    if (found.name || found.agentId || found.origins) return;
    if (!widget) {
      onSubmit({
        kind: "create",
        input: {
          ...(trimmed ? { name: trimmed } : {}),
          agentId: chosenAgent,
          allowedOrigins: read.origins,
          identityVerification: verification,
          // Production is the platform's default: named only when it is another one.
          ...(environment !== defaultEnvironment ? { environment } : {}),
        },
      });
      return;
    }
    const sameOrigins = read.origins.join("\n") === widget.allowedOrigins.join("\n");
    onSubmit({
      kind: "update",
      widget,
      patch: {
        ...(trimmed !== widget.name ? { name: trimmed } : {}),
        ...(chosenAgent !== widget.agentId ? { agentId: chosenAgent } : {}),
        ...(environment !== widget.environment ? { environment } : {}),
        ...(sameOrigins ? {} : { allowedOrigins: read.origins }),
        ...(verification !== widget.identityVerification ? { identityVerification: verification } : {}),
      },
    });
  };

  const agentHelp = agents.error
    ? "The agents could not be listed. Close and try again."
    : agents.data && published.length === 0
      ? undefined
      : "It answers with its published version, which must include the widget channel.";

  return (
    <Dialog open={open} onClose={onCancel} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <Stack component="form" noValidate onSubmit={submit}>
        <DialogTitle id={titleId}>
          {widget ? `Change ${widget.name}` : "Create a web chat widget"}
        </DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <TextField
              label="Name"
              value={name}
              onChange={(event) => {
                setName(event.target.value);
                setProblems((p) => ({ ...p, name: undefined }));
                onEdit();
              }}
              error={nameProblem !== undefined}
              helperText={
                nameProblem ??
                (widget
                  ? "So you can tell widgets apart."
                  : "So you can tell widgets apart, such as “Help center”. Left empty: “Web chat”.")
              }
              autoFocus
              fullWidth
              slotProps={{ htmlInput: { maxLength: widgetLimits.name } }}
            />
            <TextField
              select
              label="Agent"
              value={chosenAgent}
              onChange={(event) => {
                setAgentId(event.target.value);
                setProblems((p) => ({ ...p, agentId: undefined }));
                onEdit();
              }}
              error={agentProblem !== undefined || (agents.error !== undefined && !agents.data)}
              helperText={agentProblem ?? agentHelp}
              slotProps={{ select: { native: true } }}
              fullWidth
            >
              {chosenAgent === "" && <option value="">Choose an agent</option>}
              {!agents.data && !agents.error && (
                <option value="loading" disabled>
                  Loading agents…
                </option>
              )}
              {current !== undefined && (
                <option value={current}>
                  {agents.data
                    ? `${agents.data.find((a) => a.id === current)?.name ?? current} (not published)`
                    : current}
                </option>
              )}
              {published.map((agent) => (
                <option key={agent.id} value={agent.id}>
                  {agent.name}
                </option>
              ))}
            </TextField>
            {agents.data && published.length === 0 && (
              <Typography variant="body2" color="text.secondary">
                No agent is published yet: a widget answers from a published agent.{" "}
                <Link component={RouterLink} to="/agents">
                  Open your agents
                </Link>{" "}
                to publish one.
              </Typography>
            )}
            <TextField
              select
              label="Environment"
              value={environment}
              onChange={(event) => {
                setEnvironment(event.target.value);
                onEdit();
              }}
              helperText="The widget answers with the agent's version serving in this environment."
              slotProps={{ select: { native: true } }}
              fullWidth
            >
              {environments.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.label}
                </option>
              ))}
            </TextField>
            <TextField
              label="Allowed origins"
              value={origins}
              onChange={(event) => {
                setOrigins(event.target.value);
                setProblems((p) => ({ ...p, origins: undefined }));
                onEdit();
              }}
              error={originProblems.length > 0}
              helperText={
                originProblems.length > 0 ? (
                  <Box component="ul" sx={{ m: 0, pl: 2 }}>
                    {originProblems.map((problem) => (
                      <li key={problem}>{problem}</li>
                    ))}
                  </Box>
                ) : (
                  `The sites that may embed it, one per line: https://host[:port] (up to ${widgetLimits.maxOrigins}). Plain http:// only for localhost and 127.0.0.1, to try it on your machine.`
                )
              }
              placeholder="https://www.example.com"
              multiline
              minRows={3}
              fullWidth
              slotProps={{
                htmlInput: { spellCheck: false, autoCapitalize: "off" },
                formHelperText: { component: "div" },
              }}
            />
            <div>
              <FormControlLabel
                control={
                  <Switch
                    checked={verification}
                    onChange={(event) => setVerification(event.target.checked)}
                    slotProps={{ input: { "aria-describedby": verificationHelpId } }}
                  />
                }
                label="Identity verification"
              />
              <FormHelperText id={verificationHelpId} sx={{ mx: 0 }}>
                {verification
                  ? "Your server signs each signed-in visitor's user id with a secret, shown once when it is made; they find their conversation on any device. Visitors without a signature stay anonymous."
                  : widget?.identityVerification
                    ? "Saving turns it off: signatures are no longer checked, and every visitor is anonymous, remembered by their browser only."
                    : "Off: every visitor is anonymous, remembered by their browser only."}
              </FormHelperText>
            </div>
            {error && !onFields && (
              <Stack spacing={1}>
                <FormErrorAlert
                  title={widget ? "The widget was not changed" : "No widget was created"}
                  error={error}
                />
                {error.status === 412 && chosenAgent !== "" && (
                  <Typography variant="body2">
                    <Link component={RouterLink} to={`/agents/${encodeURIComponent(chosenAgent)}`}>
                      Open {agents.data?.find((a) => a.id === chosenAgent)?.name ?? chosenAgent}
                    </Link>{" "}
                    to add the widget channel to its configuration and publish it, then try again.
                  </Typography>
                )}
              </Stack>
            )}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {pending ? (widget ? "Saving…" : "Creating…") : widget ? "Save changes" : "Create widget"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
