import { useSearchParams } from "react-router";
import { Box, Chip, Link, List, ListItem, Paper, Stack, TextField, Typography } from "@mui/material";
import { MethodChip } from "../components/MethodChip";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import {
  groupOperationsByTag,
  openApiPath,
  useApiDescription,
  type ApiDescription,
  type ApiGroup,
} from "../data/apiDescription";
import { monospace } from "../theme";

/** Loaded on demand (see routes/index.tsx): the Overview should not pay for it. */
export function ApiReferencePage() {
  usePageTitle("API reference");
  const { data, error, pending, retry } = useApiDescription();
  return (
    <Stack spacing={3}>
      <Box component="header">
        <Typography variant="h1" gutterBottom>
          API reference
        </Typography>
        <Typography color="text.secondary">
          Every route of the platform's REST API, from its OpenAPI document.{" "}
          <Link href={openApiPath} sx={{ fontFamily: monospace, overflowWrap: "anywhere" }}>
            {openApiPath}
          </Link>
        </Typography>
      </Box>
      {error && !data && <RequestErrorAlert error={error} onRetry={retry} retrying={pending} />}
      {!data && !error && <PageLoading label="Loading the API description…" />}
      {data && <ApiDescriptionView description={data} />}
    </Stack>
  );
}

function ApiDescriptionView({ description }: { readonly description: ApiDescription }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const filter = searchParams.get("q") ?? "";
  const setFilter = (value: string) =>
    setSearchParams(value ? { q: value } : {}, { replace: true, preventScrollReset: true });

  if (description.operations.length === 0) {
    return <Typography color="text.secondary">The platform describes no routes yet.</Typography>;
  }
  const groups = groupOperationsByTag(description, filter);
  const shown = groups.reduce((sum, g) => sum + g.operations.length, 0);

  return (
    <Stack spacing={3}>
      <Paper sx={{ p: { xs: 2, sm: 3 } }}>
        <Typography variant="h2" component="p" sx={{ mb: 0.5 }}>
          {description.title}
          {description.version && (
            <Typography component="span" color="text.secondary" sx={{ ml: 1, fontFamily: monospace }}>
              {description.version}
            </Typography>
          )}
        </Typography>
        {description.description && <Typography sx={{ mb: 1 }}>{description.description}</Typography>}
        {description.authentication.length > 0 && (
          <Typography variant="body2" color="text.secondary">
            Routes marked <strong>API key</strong> need the key in a header:{" "}
            {description.authentication.map((header, i) => (
              <span key={header}>
                {i > 0 && " or "}
                <code>{header}</code>
              </span>
            ))}
            .
          </Typography>
        )}
      </Paper>

      <Box role="search" sx={{ maxWidth: { sm: 420 } }}>
        <TextField
          label="Filter routes"
          type="search"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          helperText={`${shown} of ${description.operations.length} routes`}
          fullWidth
          size="small"
          autoComplete="off"
        />
      </Box>

      {groups.length === 0 ? (
        <Typography color="text.secondary">No routes match “{filter.trim()}”.</Typography>
      ) : (
        groups.map((group) => <ApiGroupSection key={group.tag} group={group} />)
      )}
    </Stack>
  );
}

function ApiGroupSection({ group }: { readonly group: ApiGroup }) {
  const headingId = `tag-${group.tag.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ overflow: "hidden" }}>
      <Box sx={{ px: { xs: 2, sm: 3 }, pt: 2, pb: 1 }}>
        <Typography variant="h2" id={headingId}>
          {group.tag}
        </Typography>
        {group.description && (
          <Typography variant="body2" color="text.secondary">
            {group.description}
          </Typography>
        )}
      </Box>
      <List disablePadding>
        {group.operations.map((op) => (
          <ListItem
            key={`${op.method} ${op.path}`}
            divider
            sx={{
              px: { xs: 2, sm: 3 },
              py: 1.5,
              display: "grid",
              gridTemplateColumns: { xs: "auto 1fr", md: "auto minmax(12rem, 2fr) 3fr auto" },
              columnGap: 2,
              rowGap: 0.75,
              alignItems: "center",
            }}
          >
            <MethodChip method={op.method} />
            <Box component="code" sx={{ fontSize: "0.875rem", overflowWrap: "anywhere" }}>
              {op.path}
            </Box>
            <Typography variant="body2" sx={{ gridColumn: { xs: "1 / -1", md: "auto" } }}>
              {op.summary || (
                <Box component="span" sx={{ color: "text.secondary" }}>
                  No summary
                </Box>
              )}
            </Typography>
            <Box sx={{ gridColumn: { xs: "1 / -1", md: "auto" } }}>
              {op.requiresApiKey ? (
                <Chip size="small" variant="outlined" color="primary" label="API key" />
              ) : (
                <Chip size="small" variant="outlined" label="Public" />
              )}
            </Box>
          </ListItem>
        ))}
      </List>
    </Paper>
  );
}
