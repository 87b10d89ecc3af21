import { memo, useId } from "react";
import { Alert, Box, Checkbox, FormControlLabel, FormGroup, FormHelperText, Typography } from "@mui/material";
import {
  agentChannels,
  inChannelOrder,
  sameValue,
  withChannel,
  type AgentChannel,
  type AgentDraft,
} from "../../data/agents";
import { channelLabel, channelLabels } from "../history/describe";

/** What each channel is, in a line: who reaches the agent through it. */
const channelDescriptions: Readonly<Record<AgentChannel, string>> = {
  api: "Your services, with an API key. The playground tries published versions through it too.",
  "openai-compatible":
    "OpenAI's SDKs and tools with a base URL setting: chat completions and the Responses API.",
  callable: "Firebase apps, through the agents-converse callable function.",
  studio: "The studio's playground. The draft can always be tried there, whatever is checked here.",
  mcp: "MCP clients (IDEs, desktop assistants, agent frameworks) get a tool that asks this agent.",
  whatsapp: "Messages to the WhatsApp Business numbers connected to this agent.",
  widget: "The web chat widgets made for this agent, on your sites.",
};

/** The published version end users get now, and the channels it answers on. */
export interface ServingChannels {
  readonly version: number;
  readonly channels: readonly string[];
}

interface ChannelsSectionProps {
  readonly channels: readonly string[];
  readonly error: string | undefined;
  /** `undefined` before the first publish, or while the versions are read. */
  readonly serving: ServingChannels | undefined;
  /** Must be stable (the page's `useCallback`). */
  readonly onChange: (change: Partial<AgentDraft>) => void;
  readonly readOnly: boolean;
}

const listed = (channels: readonly string[]) =>
  channels.length === 0 ? "no channel" : inChannelOrder(channels).map(channelLabel).join(", ");

/**
 * A checkbox per channel. The platform checks the channel of the version a conversation gets, so what is
 * checked here reaches end users only once it is published; drafts answer in the playground regardless.
 */
export const ChannelsSection = memo(function ChannelsSection({
  channels,
  error,
  serving,
  onChange,
  readOnly,
}: ChannelsSectionProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const servingDiffers =
    serving !== undefined && !sameValue(inChannelOrder(serving.channels), inChannelOrder(channels));
  return (
    <>
      <FormGroup>
        {agentChannels.map((channel) => {
          const descriptionId = `${id}-${channel}`;
          return (
            <Box key={channel} sx={{ mb: 1 }}>
              <FormControlLabel
                control={
                  <Checkbox
                    checked={channels.includes(channel)}
                    onChange={(event) =>
                      onChange({ channels: withChannel(channels, channel, event.target.checked) })
                    }
                    disabled={readOnly}
                    slotProps={{
                      input: {
                        "aria-describedby": error ? `${descriptionId} ${errorId}` : descriptionId,
                      },
                    }}
                  />
                }
                label={channelLabels[channel]}
              />
              {/* Lined up with the label, under the box. */}
              <FormHelperText id={descriptionId} sx={{ mt: -0.75, ml: 4 }}>
                {channelDescriptions[channel]}
              </FormHelperText>
            </Box>
          );
        })}
      </FormGroup>
      {error && (
        <FormHelperText id={errorId} error sx={{ mt: 0 }}>
          {error}
        </FormHelperText>
      )}
      {channels.length === 0 && (
        <Alert severity="warning">
          This agent will answer nowhere but the playground once published: only its draft can be tried there,
          and the APIs, MCP, WhatsApp and the widget will refuse it.
        </Alert>
      )}
      {servingDiffers && (
        <Typography variant="body2" color="text.secondary">
          End users get version {serving.version}, which answers on {listed(serving.channels)}. Publish to
          apply the channels above.
        </Typography>
      )}
    </>
  );
});
