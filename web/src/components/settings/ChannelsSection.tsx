import { useId, useState, type ReactNode } from "react";
import { Link as RouterLink } from "react-router";
import { Box, Card, CardContent, Chip, Link, Stack, TextField, Typography } from "@mui/material";
import { hasPermission } from "../../data/admin";
import { useAgents } from "../../data/hooks/agents";
import { platformOrigin } from "../../data/platform";
import type { Session } from "../../data/session";
import { monospace } from "../../theme";
import { CodeBlock } from "../CodeBlock";
import { ChannelActivity } from "./ChannelActivity";
import { SectionHeader } from "../shared/SectionHeader";
import { settingsPath } from "../settingsSections";
import { WhatsAppChannelCard } from "./whatsapp/WhatsAppChannelCard";
import { WidgetChannelCard } from "./widget/WidgetChannelCard";

const auth = `-H "Authorization: Bearer $ALCHEMIST_API_KEY"`;
const question = "How many vacation days do I get?";

function restExample(origin: string, agentId: string): string {
  return [
    `curl -X POST ${origin}/v1/agents/${agentId}/conversations \\`,
    `  ${auth}`,
    ``,
    `curl -X POST ${origin}/v1/conversations/$CONVERSATION_ID/messages \\`,
    `  ${auth} \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"content": "${question}"}'`,
  ].join("\n");
}

function openAiPythonExample(origin: string, agentId: string): string {
  return [
    `import os`,
    `from openai import OpenAI`,
    ``,
    `client = OpenAI(base_url="${origin}/v1", api_key=os.environ["ALCHEMIST_API_KEY"])`,
    `answer = client.chat.completions.create(`,
    `    model="${agentId}",`,
    `    messages=[{"role": "user", "content": "${question}"}],`,
    `)`,
    `print(answer.choices[0].message.content)`,
  ].join("\n");
}

function responsesExample(origin: string, agentId: string): string {
  return [
    `import { createOpenAI } from "@ai-sdk/openai";`,
    `import { generateText } from "ai";`,
    ``,
    `const openai = createOpenAI({ baseURL: "${origin}/v1", apiKey: process.env.ALCHEMIST_API_KEY });`,
    `const { text } = await generateText({ model: openai("${agentId}"), prompt: "${question}" });`,
  ].join("\n");
}

function openAiCurlExample(origin: string, agentId: string): string {
  return [
    `curl ${origin}/v1/chat/completions \\`,
    `  ${auth} \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"model": "${agentId}", "messages": [{"role": "user", "content": "${question}"}]}'`,
  ].join("\n");
}

function mcpExample(origin: string, agentId: string): string {
  return [
    `{`,
    `  "mcpServers": {`,
    `    "alchemist": {`,
    `      "type": "http",`,
    `      "url": "${origin}/mcp",`,
    `      "headers": { "Authorization": "Bearer \${ALCHEMIST_API_KEY}" }`,
    `    }`,
    `  }`,
    `}`,
    ``,
    `# one agent only: ${origin}/mcp/agents/${agentId}`,
  ].join("\n");
}

/**
 * `/settings/channels`: where agents answer (the APIs, MCP, WhatsApp, the widget) and, for roles that may read
 * analytics, how much each channel was used lately. Open to every role.
 */
export function ChannelsSection({ session }: { readonly session: Session }) {
  const headingId = useId();
  const origin = platformOrigin();
  const baseUrl = `${origin}/v1`;
  const agents = useAgents({ includeArchived: false });
  const published = agents.data?.filter((agent) => agent.publishedVersion !== null) ?? [];
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const exampleAgent = published.find((agent) => agent.id === chosen)?.id ?? published[0]?.id ?? "$AGENT_ID";
  const mayCreateKeys = hasPermission(session.role, "keys.manage");
  const mayViewActivity = hasPermission(session.role, "conversations.view");

  return (
    <Stack component="section" aria-labelledby={headingId} spacing={3}>
      <SectionHeader
        id={headingId}
        title="Channels"
        description="Where your published agents answer. Every channel answers with sources, a confidence and a trace."
      />
      {mayViewActivity && <ChannelActivity />}
      <Typography>
        Both APIs need an API key, sent as a bearer token.{" "}
        {mayCreateKeys ? (
          <>
            <Link component={RouterLink} to={settingsPath("api-keys")}>
              Create an API key
            </Link>{" "}
            for each service that calls them.
          </>
        ) : (
          "Ask an admin or owner of this workspace for one."
        )}{" "}
        The examples read it from <code>$ALCHEMIST_API_KEY</code>.
      </Typography>
      {published.length > 1 && (
        <TextField
          select
          label="Agent in the examples"
          value={exampleAgent}
          onChange={(event) => setChosen(event.target.value)}
          slotProps={{ select: { native: true } }}
          sx={{ maxWidth: { sm: 360 } }}
        >
          {published.map((agent) => (
            <option key={agent.id} value={agent.id}>
              {agent.name}
            </option>
          ))}
        </TextField>
      )}
      {agents.data && published.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          No agent is published yet: the examples say <code>$AGENT_ID</code> where a published agent&apos;s id
          goes.
        </Typography>
      )}

      <ChannelCard name="REST API" status="Available" baseUrl={baseUrl}>
        <Typography sx={{ mb: 2 }}>
          Start a conversation with an agent, then send it messages. Every route is in the{" "}
          <Link component={RouterLink} to="/api">
            API reference
          </Link>
          .
        </Typography>
        <CodeBlock label="REST API example" code={restExample(origin, exampleAgent)} />
      </ChannelCard>

      <ChannelCard name="OpenAI-compatible API" status="Available" baseUrl={baseUrl}>
        <Typography sx={{ mb: 2 }}>
          OpenAI&apos;s SDKs and any tool with a base URL setting talk to published agents unchanged, through
          chat completions or the Responses API (<code>/v1/responses</code>, which the Vercel AI SDK and
          LangChain use): the model is the agent&apos;s id (<code>GET /v1/models</code> lists them). Answers
          carry their sources under <code>alchemist</code>. System messages and <code>instructions</code> are
          read under the agent&apos;s own instructions, which win.
        </Typography>
        <Stack spacing={1.5}>
          <CodeBlock label="OpenAI Python client example" code={openAiPythonExample(origin, exampleAgent)} />
          <CodeBlock
            label="Vercel AI SDK example (Responses API)"
            code={responsesExample(origin, exampleAgent)}
          />
          <CodeBlock label="OpenAI-compatible curl example" code={openAiCurlExample(origin, exampleAgent)} />
        </Stack>
      </ChannelCard>

      <ChannelCard name="MCP" status="Available" baseUrl={`${origin}/mcp`}>
        <Typography sx={{ mb: 2 }}>
          MCP clients (IDEs, desktop assistants, agent frameworks) use your agents as tools: an{" "}
          <code>ask_</code> tool per published agent (its answer with sources, confidence and trace) and a{" "}
          <code>search_</code> tool per knowledge base. Stateless Streamable HTTP, protocol revisions
          2026-07-28 and 2025-11-25. An agent answers over MCP once a version with the <code>mcp</code>{" "}
          channel is published.
        </Typography>
        <CodeBlock label="MCP client configuration example" code={mcpExample(origin, exampleAgent)} />
      </ChannelCard>

      <ChannelCard name="WhatsApp Business" status="Available">
        <WhatsAppChannelCard session={session} exampleAgentId={exampleAgent} />
      </ChannelCard>

      <ChannelCard name="Web chat widget" status="Available">
        <WidgetChannelCard session={session} />
      </ChannelCard>
    </Stack>
  );
}

interface ChannelCardProps {
  readonly name: string;
  readonly status: "Available" | "Available through the API" | "Not available yet";
  readonly baseUrl?: string;
  readonly children: ReactNode;
}

function ChannelCard({ name, status, baseUrl, children }: ChannelCardProps) {
  const headingId = useId();
  return (
    <Card component="section" aria-labelledby={headingId}>
      <CardContent sx={{ p: { xs: 2, sm: 3 } }}>
        <Box sx={{ display: "flex", flexWrap: "wrap", alignItems: "center", gap: 1, mb: 1 }}>
          <Typography variant="h3" id={headingId}>
            {name}
          </Typography>
          <Chip
            label={status}
            size="small"
            color={status === "Not available yet" ? "default" : "success"}
            variant={status === "Available" ? "filled" : "outlined"}
          />
        </Box>
        {baseUrl && (
          <Box component="dl" sx={{ m: 0, mb: 1.5, display: "flex", flexWrap: "wrap", columnGap: 1 }}>
            <Typography component="dt" color="text.secondary">
              Base URL
            </Typography>
            <Typography component="dd" sx={{ m: 0, fontFamily: monospace, overflowWrap: "anywhere" }}>
              {baseUrl}
            </Typography>
          </Box>
        )}
        {children}
      </CardContent>
    </Card>
  );
}
