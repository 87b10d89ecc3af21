import { useId, useState } from "react";
import { Box, Button, Stack, Typography } from "@mui/material";
import { hasPermission } from "../../../data/admin";
import { useAgents } from "../../../data/hooks/agents";
import { useWidgets } from "../../../data/hooks/widgets";
import { PlatformRequestError } from "../../../data/platform";
import { roleLabels, type Session } from "../../../data/session";
import { useStudio } from "../../../data/studio";
import { useMutation } from "../../../data/useMutation";
import type { Widget } from "../../../data/widgets";
import { CodeBlock } from "../../CodeBlock";
import { ConfirmDialog } from "../../ConfirmDialog";
import { PageLoading } from "../../PageLoading";
import { SecretRevealDialog, useShownOnce } from "../SecretRevealDialog";
import { SectionLoadError } from "../SectionLoadError";
import { TypedConfirmDialog } from "../TypedConfirmDialog";
import { useRemoteUpdate } from "../useRemoteUpdate";
import { WidgetDetails } from "./WidgetDetails";
import { WidgetSettingsDialog, type WidgetSettingsRequest } from "./WidgetSettingsDialog";
import { identitySigningExample } from "./widgetSnippets";

/**
 * The web chat widget card's body on the Channels page: admins and owners (`channels.manage`) create,
 * theme and delete widgets and copy their snippet; everyone else reads what the channel does and who sets
 * it up, and asks the platform nothing.
 */
export function WidgetChannelCard({ session }: { readonly session: Session }) {
  const mayManage = hasPermission(session.role, "channels.manage");
  return (
    <Stack spacing={2}>
      <Typography>
        A chat window for your websites, answering from a published agent with its sources. Each widget has a
        publishable key, safe to put in a page, and answers only on the sites you allow.
      </Typography>
      {mayManage ? (
        <WidgetList />
      ) : (
        <Typography color="text.secondary">
          Admins and owners of this workspace create widgets, choose the sites that may embed them and copy
          their snippet. Your role is {roleLabels[session.role]}: ask one of them to set a widget up.
        </Typography>
      )}
    </Stack>
  );
}

type Change = "settings" | "rotate" | "delete";

/** What the secret dialog shows: a widget's identity secret, just made. */
interface ShownSecret {
  readonly widget: Widget;
  readonly secret: string;
  readonly rotated: boolean;
}

/** The workspace's widgets, with creating, changing, theming, rotating the secret and deleting. */
function WidgetList() {
  const listId = useId();
  const studio = useStudio();
  const widgets = useWidgets();
  const agents = useAgents({ includeArchived: true });
  const update = useRemoteUpdate(widgets);
  const changes = useMutation<Change>();

  // A fresh form for each opening (its key), so it starts from the widget it changes.
  const [form, setForm] = useState<{ readonly key: number; readonly editing?: Widget }>({ key: 0 });
  const [formOpen, setFormOpen] = useState(false);
  const secret = useShownOnce<ShownSecret>();
  const [rotating, setRotating] = useState<Widget | undefined>(undefined);
  const [rotateOpen, setRotateOpen] = useState(false);
  const [deleting, setDeleting] = useState<Widget | undefined>(undefined);
  const [deleteOpen, setDeleteOpen] = useState(false);

  const openForm = (editing?: Widget) => {
    changes.dismiss("settings");
    setForm((f) => ({ key: f.key + 1, ...(editing ? { editing } : {}) }));
    setFormOpen(true);
  };

  const submit = (request: WidgetSettingsRequest) => {
    if (request.kind === "update" && Object.keys(request.patch).length === 0) {
      setFormOpen(false);
      return;
    }
    void changes.run("settings", async () => {
      const answer =
        request.kind === "create"
          ? await studio.createWidget(request.input)
          : await studio.updateWidget(request.widget.id, request.patch);
      const { widget, identitySecret } = answer;
      update((list) =>
        request.kind === "create" ? [...list, widget] : list.map((w) => (w.id === widget.id ? widget : w)),
      );
      setFormOpen(false);
      if (identitySecret !== undefined) secret.show({ widget, secret: identitySecret, rotated: false });
      return request.kind === "create"
        ? `${widget.name} was created: copy its snippet into your site.`
        : `${widget.name} was saved.`;
    });
  };

  const rotate = () => {
    if (!rotating) return;
    const widget = rotating;
    void changes.run("rotate", async () => {
      const path = `/v1/widgets/${encodeURIComponent(widget.id)}`;
      const answer = await studio.updateWidget(widget.id, { rotateIdentitySecret: true });
      update((list) => list.map((w) => (w.id === answer.widget.id ? answer.widget : w)));
      if (answer.identitySecret === undefined) {
        throw new PlatformRequestError(
          "invalid-response",
          path,
          `PATCH ${path} rotated the secret but did not answer the new one: rotate again to see it.`,
        );
      }
      setRotateOpen(false);
      secret.show({ widget: answer.widget, secret: answer.identitySecret, rotated: true });
      return `${widget.name} has a new identity secret; the previous one no longer works.`;
    });
  };

  const remove = () => {
    if (!deleting) return;
    const widget = deleting;
    void changes.run("delete", async () => {
      await studio.deleteWidget(widget.id);
      update((list) => list.filter((w) => w.id !== widget.id));
      setDeleteOpen(false);
      return `${widget.name} was deleted: its key no longer works on any site.`;
    });
  };

  const list = widgets.data;
  const shown = secret.subject;

  return (
    <Stack spacing={2}>
      <Box sx={{ display: "flex", flexWrap: "wrap", alignItems: "center", gap: 1 }}>
        <Typography variant="subtitle1" component="h4" id={listId} sx={{ fontWeight: 600, flex: 1 }}>
          Widgets
        </Typography>
        {list && (
          <Button variant="contained" onClick={() => openForm()}>
            Create widget
          </Button>
        )}
      </Box>
      {widgets.error && !list && (
        <SectionLoadError error={widgets.error} onRetry={widgets.retry} retrying={widgets.pending} />
      )}
      {!list && !widgets.error && <PageLoading label="Loading widgets…" />}
      {list && list.length === 0 && (
        <Typography color="text.secondary">
          No widget yet. Create one for a published agent, list the sites that may embed it, then paste its
          snippet into their pages.
        </Typography>
      )}
      {list && list.length > 0 && (
        <Stack component="ul" aria-labelledby={listId} spacing={2} sx={{ listStyle: "none", m: 0, p: 0 }}>
          {list.map((widget) => (
            <li key={widget.id}>
              <WidgetDetails
                widget={widget}
                agents={agents.data}
                onEdit={() => openForm(widget)}
                onSaved={(saved) => update((all) => all.map((w) => (w.id === saved.id ? saved : w)))}
                onRotate={() => {
                  setRotating(widget);
                  changes.dismiss("rotate");
                  setRotateOpen(true);
                }}
                onDelete={() => {
                  setDeleting(widget);
                  changes.dismiss("delete");
                  setDeleteOpen(true);
                }}
              />
            </li>
          ))}
        </Stack>
      )}
      <Typography role="status" color="text.secondary">
        {changes.announcement}
      </Typography>

      <WidgetSettingsDialog
        key={form.key}
        open={formOpen}
        widget={form.editing}
        agents={agents}
        pending={changes.busy === "settings"}
        error={changes.error("settings")}
        onSubmit={submit}
        onEdit={() => changes.dismiss("settings")}
        onCancel={() => setFormOpen(false)}
      />
      <SecretRevealDialog
        open={secret.open}
        secret={shown?.secret}
        title={`Identity secret of ${shown?.widget.name ?? "the widget"}`}
        secretLabel="Identity secret"
        warning={
          <>
            <strong>You will not see this secret again.</strong> Keep it on your server only, never in a page
            or an app. If you lose it or it leaks, rotate it: the old one stops working at once.
          </>
        }
        usage={
          <Stack spacing={1}>
            <Typography>
              For each signed-in visitor, your server signs their user id: the hex HMAC-SHA256 of the id,
              keyed with this secret. The page passes both on the widget&apos;s script tag. In Node:
            </Typography>
            <CodeBlock label="Signing a user id in Node" code={identitySigningExample} />
          </Stack>
        }
        onClose={secret.close}
        onExited={secret.forget}
      >
        {shown && (
          <Typography>
            {shown.rotated
              ? "The previous secret no longer works: sign user ids with this one from now on."
              : `${shown.widget.name} now recognises signed-in visitors by their signed user id.`}
          </Typography>
        )}
      </SecretRevealDialog>
      <ConfirmDialog
        open={rotateOpen}
        title={`Rotate the identity secret of ${rotating?.name ?? "this widget"}?`}
        confirmLabel="Rotate secret"
        destructive
        pending={changes.busy === "rotate"}
        error={changes.error("rotate")}
        errorTitle="The secret was not rotated"
        onConfirm={rotate}
        onCancel={() => setRotateOpen(false)}
      >
        A new secret replaces the current one at once: until your server signs user ids with the new one, the
        signatures it sends are refused. You see the new secret once, right after.
      </ConfirmDialog>
      <TypedConfirmDialog
        open={deleteOpen}
        title={`Delete ${deleting?.name ?? "this widget"}?`}
        phrase={deleting?.name ?? ""}
        confirmLabel="Delete widget"
        pending={changes.busy === "delete"}
        error={changes.error("delete")}
        errorTitle="The widget was not deleted"
        onConfirm={remove}
        onCancel={() => setDeleteOpen(false)}
      >
        Its key ({deleting?.key}) stops working at once on every site that embeds it: the chat disappears for
        their visitors. Deleting cannot be undone; a new widget gets a new key and snippet.
      </TypedConfirmDialog>
    </Stack>
  );
}
