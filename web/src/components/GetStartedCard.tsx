import { Box, Card, CardContent, Link, Stack, Typography } from "@mui/material";
import { NavLink } from "react-router";
import { CodeBlock } from "./CodeBlock";

interface Step {
  readonly title: string;
  readonly note?: string;
  readonly command: (origin: string) => string;
}

const auth = `-H "Authorization: Bearer $ALCHEMIST_API_KEY"`;

const steps: readonly Step[] = [
  {
    title: "Create a knowledge base",
    command: (origin) =>
      [
        `curl -X POST ${origin}/v1/knowledge-bases \\`,
        `  ${auth} \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{"name": "Employee handbook"}'`,
      ].join("\n"),
  },
  {
    title: "Upload a document",
    note: "PDF, DOCX, TXT, Markdown, HTML, CSV or JSON. KB_ID is the id returned by step 1; the document is ready when its status says so (or upload from the Knowledge page and watch it).",
    command: (origin) =>
      [
        `curl -X POST ${origin}/v1/knowledge-bases/$KB_ID/documents \\`,
        `  ${auth} \\`,
        `  -F "file=@handbook.md"`,
      ].join("\n"),
  },
  {
    title: "Ask an agent",
    note: "Create an agent that answers from the knowledge base (AGENT_ID), start a conversation with it (CONVERSATION_ID), then ask. The answer carries its citations, a confidence and a trace id.",
    command: (origin) =>
      [
        `curl -X POST ${origin}/v1/agents \\`,
        `  ${auth} \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d "{\\"name\\": \\"HR assistant\\", \\"knowledgeBaseIds\\": [\\"$KB_ID\\"]}"`,
        ``,
        `curl -X POST ${origin}/v1/agents/$AGENT_ID/conversations ${auth}`,
        ``,
        `curl -X POST ${origin}/v1/conversations/$CONVERSATION_ID/messages \\`,
        `  ${auth} \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{"content": "How many vacation days do full-time employees get?"}'`,
      ].join("\n"),
  },
];

export function GetStartedCard({ origin }: { readonly origin: string }) {
  return (
    <Card component="section" aria-labelledby="get-started-heading">
      <CardContent sx={{ p: { xs: 2, sm: 3 } }}>
        <Typography variant="h2" id="get-started-heading" gutterBottom>
          Get started
        </Typography>
        <Typography sx={{ mb: 2 }}>
          Every request needs an API key. <code>npm start</code> prints one when it starts and saves it in{" "}
          <code>emulator-data/local/credentials.json</code>.
        </Typography>
        <CodeBlock
          label="Set your API key"
          code={`export ALCHEMIST_API_KEY="<the key printed by npm start>"`}
        />
        <Stack component="ol" spacing={2.5} sx={{ pl: 0, mt: 3, mb: 0, listStyle: "none" }}>
          {steps.map((step, index) => (
            <Box component="li" key={step.title}>
              <Typography variant="h3" sx={{ mb: 0.5 }}>
                {index + 1}. {step.title}
              </Typography>
              {step.note && (
                <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                  {step.note}
                </Typography>
              )}
              <CodeBlock label={step.title} code={step.command(origin)} />
            </Box>
          ))}
        </Stack>
        <Typography variant="body2" sx={{ mt: 3 }}>
          Every route, with what it needs, is in the{" "}
          <Link component={NavLink} to="/api">
            API reference
          </Link>
          .
        </Typography>
      </CardContent>
    </Card>
  );
}
