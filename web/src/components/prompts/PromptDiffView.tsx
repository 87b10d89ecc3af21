import { useState } from "react";
import {
  Box,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from "@mui/material";
import type { PromptVersion } from "../../data/prompts";
import { monospace } from "../../theme";
import { lineDiff, sideBySide, variableChanges } from "./promptDiff";

const addedBg = "rgba(46, 125, 50, 0.12)";
const removedBg = "rgba(211, 47, 47, 0.1)";
const codeSx = { fontFamily: monospace, fontSize: "0.8125rem", lineHeight: 1.6 } as const;

/** Two versions compared: the text (unified or side by side) and the variables. */
export function PromptDiffView({
  before,
  after,
}: {
  readonly before: PromptVersion;
  readonly after: PromptVersion;
}) {
  const [layout, setLayout] = useState<"unified" | "split">("unified");
  const lines = lineDiff(before.text, after.text);
  const added = lines.filter((l) => l.kind === "added").length;
  const removed = lines.filter((l) => l.kind === "removed").length;
  const variables = variableChanges(before.variables, after.variables);
  return (
    <Box sx={{ display: "flex", flexDirection: "column", gap: 1.5 }}>
      <Box sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap" }}>
        <Typography role="status" sx={{ flex: 1 }}>
          {added === 0 && removed === 0
            ? `The text of versions ${before.version} and ${after.version} is the same.`
            : `Version ${after.version} adds ${added} line${added === 1 ? "" : "s"} and removes ${removed} from version ${before.version}.`}
        </Typography>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={layout}
          onChange={(_, value: "unified" | "split" | null) => value && setLayout(value)}
          aria-label="Diff layout"
        >
          <ToggleButton value="unified">Unified</ToggleButton>
          <ToggleButton value="split">Side by side</ToggleButton>
        </ToggleButtonGroup>
      </Box>
      {layout === "unified" ? (
        <Box
          role="group"
          aria-label={`Text, version ${before.version} to version ${after.version}, line by line`}
          sx={{ ...codeSx, overflowX: "auto", border: 1, borderColor: "divider", borderRadius: 1 }}
        >
          {lines.map((line, index) => {
            const Tag = line.kind === "added" ? "ins" : line.kind === "removed" ? "del" : "div";
            return (
              <Box
                key={index}
                component={Tag}
                sx={{
                  display: "block",
                  textDecoration: "none",
                  whiteSpace: "pre-wrap",
                  px: 1,
                  bgcolor: line.kind === "added" ? addedBg : line.kind === "removed" ? removedBg : undefined,
                }}
              >
                <Box
                  component="span"
                  aria-hidden="true"
                  sx={{ display: "inline-block", width: "1.5em", color: "text.secondary" }}
                >
                  {line.kind === "added" ? "+" : line.kind === "removed" ? "−" : " "}
                </Box>
                {line.text || " "}
              </Box>
            );
          })}
        </Box>
      ) : (
        <TableContainer
          tabIndex={0}
          role="group"
          aria-label="Side-by-side diff"
          sx={{ border: 1, borderColor: "divider", borderRadius: 1, maxHeight: 480 }}
        >
          <Table
            size="small"
            stickyHeader
            aria-label={`Text of version ${before.version} and version ${after.version}, side by side`}
          >
            <TableHead>
              <TableRow>
                <TableCell scope="col" sx={{ width: "50%" }}>
                  Version {before.version}
                </TableCell>
                <TableCell scope="col" sx={{ width: "50%" }}>
                  Version {after.version}
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {sideBySide(lines).map((row, index) => (
                <TableRow key={index}>
                  <TableCell
                    sx={{
                      ...codeSx,
                      verticalAlign: "top",
                      whiteSpace: "pre-wrap",
                      overflowWrap: "anywhere",
                      bgcolor: row.before?.changed ? removedBg : undefined,
                    }}
                  >
                    {row.before && (
                      <>
                        <Box component="span" sx={{ color: "text.secondary", mr: 1 }}>
                          {row.before.changed ? "−" : " "}
                          {row.before.number}
                        </Box>
                        {row.before.changed ? (
                          <del style={{ textDecoration: "none" }}>{row.before.text}</del>
                        ) : (
                          row.before.text
                        )}
                      </>
                    )}
                  </TableCell>
                  <TableCell
                    sx={{
                      ...codeSx,
                      verticalAlign: "top",
                      whiteSpace: "pre-wrap",
                      overflowWrap: "anywhere",
                      bgcolor: row.after?.changed ? addedBg : undefined,
                    }}
                  >
                    {row.after && (
                      <>
                        <Box component="span" sx={{ color: "text.secondary", mr: 1 }}>
                          {row.after.changed ? "+" : " "}
                          {row.after.number}
                        </Box>
                        {row.after.changed ? (
                          <ins style={{ textDecoration: "none" }}>{row.after.text}</ins>
                        ) : (
                          row.after.text
                        )}
                      </>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      <Typography variant="h3" component="h4">
        Variables
      </Typography>
      {variables.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          The same variables are declared in both versions.
        </Typography>
      ) : (
        <Box component="ul" sx={{ m: 0, pl: 3 }}>
          {variables.map((change) => (
            <li key={change.name}>
              <Typography variant="body2">
                <strong>{change.name}</strong>{" "}
                {change.kind === "added"
                  ? `added (${change.detail})`
                  : change.kind === "removed"
                    ? `removed (was ${change.detail})`
                    : change.detail}
              </Typography>
            </li>
          ))}
        </Box>
      )}
    </Box>
  );
}
