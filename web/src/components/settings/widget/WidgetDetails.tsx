import { useId, useState, type ReactNode } from "react";
import { Link as RouterLink } from "react-router";
import { Box, Button, Chip, Link, Paper, Stack, Typography } from "@mui/material";
import type { Agent } from "../../../data/agents";
import { platformOrigin } from "../../../data/platform";
import type { Widget } from "../../../data/widgets";
import { monospace } from "../../../theme";
import { CodeBlock } from "../../CodeBlock";
import { ConfirmDialog } from "../../ConfirmDialog";
import { RelativeTime } from "../../RelativeTime";
import { identitySigningExample, verifiedWidgetSnippet, widgetSnippet } from "./widgetSnippets";
import { WidgetThemeForm } from "./WidgetThemeForm";

interface WidgetDetailsProps {
  readonly widget: Widget;
  /** To name the widget's agent; its id until they load. */
  readonly agents: readonly Agent[] | undefined;
  readonly onEdit: () => void;
  /** The appearance was saved: the widget as the platform now has it. */
  readonly onSaved: (widget: Widget) => void;
  readonly onRotate: () => void;
  readonly onDelete: () => void;
}

/** One widget: what it is and where it may run, its snippet, and its actions, with its appearance on request. */
export function WidgetDetails({ widget, agents, onEdit, onSaved, onRotate, onDelete }: WidgetDetailsProps) {
  const headingId = useId();
  const appearanceId = useId();
  const [appearanceOpen, setAppearanceOpen] = useState(false);
  const [appearanceDirty, setAppearanceDirty] = useState(false);
  const [confirmingDiscard, setConfirmingDiscard] = useState(false);
  const origin = platformOrigin();
  const agentName = agents?.find((a) => a.id === widget.agentId)?.name ?? widget.agentId;

  const closeAppearance = () => {
    setAppearanceOpen(false);
    setAppearanceDirty(false);
    setConfirmingDiscard(false);
  };

  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 2.5 } }}>
      <Stack spacing={2}>
        <Box sx={{ display: "flex", flexWrap: "wrap", alignItems: "center", gap: 1 }}>
          <Typography variant="h3" component="h5" id={headingId} sx={{ overflowWrap: "anywhere" }}>
            {widget.name}
          </Typography>
          {widget.lastError && (
            <Chip label="Last request failed" size="small" color="warning" variant="outlined" />
          )}
        </Box>
        <Box
          component="dl"
          sx={{
            m: 0,
            display: "grid",
            gridTemplateColumns: { xs: "minmax(0, 1fr)", sm: "max-content minmax(0, 1fr)" },
            columnGap: 3,
            rowGap: { xs: 0.25, sm: 1 },
            "& dd": { m: 0, mb: { xs: 1.25, sm: 0 }, overflowWrap: "anywhere" },
          }}
        >
          <Detail term="Agent">
            <Link component={RouterLink} to={`/agents/${encodeURIComponent(widget.agentId)}`}>
              {agentName}
            </Link>
          </Detail>
          <Detail term="Allowed origins">
            <Box
              component="ul"
              sx={{ m: 0, p: 0, listStyle: "none", fontFamily: monospace, fontSize: "0.875rem" }}
            >
              {widget.allowedOrigins.map((allowed) => (
                <li key={allowed}>{allowed}</li>
              ))}
            </Box>
          </Detail>
          <Detail term="Key">
            <Box component="span" sx={{ fontFamily: monospace, fontSize: "0.875rem" }}>
              {widget.key}
            </Box>
          </Detail>
          <Detail term="Identity verification">
            {widget.identityVerification
              ? "On: signed-in visitors are recognised by their signed user id"
              : "Off: every visitor is anonymous"}
          </Detail>
          <Detail term="Last activity">
            {widget.lastActivityAt ? (
              <RelativeTime iso={widget.lastActivityAt} />
            ) : (
              <Typography component="span" color="text.secondary">
                No conversation yet
              </Typography>
            )}
          </Detail>
          <Detail term="Last error">
            {widget.lastError ? (
              <>
                <RelativeTime iso={widget.lastError.at} />: {widget.lastError.message} (
                <Box component="code">{widget.lastError.code}</Box>)
              </>
            ) : (
              <Typography component="span" color="text.secondary">
                None
              </Typography>
            )}
          </Detail>
        </Box>

        <Stack spacing={1}>
          <Typography variant="body2">
            Paste this into the pages of the allowed sites, before <code>&lt;/body&gt;</code>:
          </Typography>
          <CodeBlock label={`Snippet for ${widget.name}`} code={widgetSnippet(origin, widget)} />
          {widget.identityVerification && (
            <>
              <Typography variant="body2">
                For a signed-in visitor, your server adds their user id and its signature (the hex HMAC-SHA256
                of the id with the identity secret):
              </Typography>
              <CodeBlock
                label={`Snippet for signed-in visitors of ${widget.name}`}
                code={verifiedWidgetSnippet(origin, widget)}
              />
              <CodeBlock
                label={`Signing a user id for ${widget.name} in Node`}
                code={identitySigningExample}
              />
            </>
          )}
        </Stack>

        <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1 }}>
          <Button
            variant="outlined"
            aria-expanded={appearanceOpen}
            aria-controls={appearanceOpen ? appearanceId : undefined}
            onClick={() => {
              if (!appearanceOpen) setAppearanceOpen(true);
              else if (appearanceDirty) setConfirmingDiscard(true);
              else closeAppearance();
            }}
          >
            {appearanceOpen ? "Hide appearance" : "Customize appearance"}
          </Button>
          <Button onClick={onEdit} aria-label={`Change settings of ${widget.name}`}>
            Change settings
          </Button>
          {widget.identityVerification && (
            <Button onClick={onRotate} aria-label={`Rotate the identity secret of ${widget.name}`}>
              Rotate identity secret
            </Button>
          )}
          <Button color="error" onClick={onDelete} aria-label={`Delete ${widget.name}`}>
            Delete
          </Button>
        </Box>

        {appearanceOpen && (
          <Box id={appearanceId} sx={{ pt: 1, borderTop: 1, borderColor: "divider" }}>
            <WidgetThemeForm widget={widget} onSaved={onSaved} onDirtyChange={setAppearanceDirty} />
          </Box>
        )}
      </Stack>
      <ConfirmDialog
        open={confirmingDiscard}
        title="Discard the changes to the appearance?"
        confirmLabel="Discard changes"
        destructive
        onConfirm={closeAppearance}
        onCancel={() => setConfirmingDiscard(false)}
      >
        The colour, texts or position you changed for {widget.name} are not saved. Sites keep its current
        look.
      </ConfirmDialog>
    </Paper>
  );
}

function Detail({ term, children }: { readonly term: string; readonly children: ReactNode }) {
  return (
    <>
      <Typography component="dt" color="text.secondary">
        {term}
      </Typography>
      <Typography component="dd">{children}</Typography>
    </>
  );
}
