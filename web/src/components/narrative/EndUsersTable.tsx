import { Link as RouterLink } from "react-router";
import {
  Chip,
  Link,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { EndUserSummary } from "../../data/narrative";
import { warningDark } from "../../theme";
import { RelativeTime } from "../RelativeTime";
import { formatCount, formatInstant } from "../shared/format";
import { endUserAddress, type AgentName } from "./describe";

const narrowHidden = { display: { xs: "none", sm: "table-cell" } } as const;

/** End users, most recently seen first; each row opens what the agents remember about them. */
export function EndUsersTable({
  endUsers,
  agentName,
}: {
  readonly endUsers: readonly EndUserSummary[];
  readonly agentName: AgentName;
}) {
  return (
    <TableContainer component={Paper}>
      <Table aria-label="End users">
        <TableHead>
          <TableRow>
            <TableCell>End user</TableCell>
            <TableCell sx={narrowHidden}>Agents</TableCell>
            <TableCell align="right">Memories</TableCell>
            <TableCell align="right">Open flags</TableCell>
            <TableCell sx={{ whiteSpace: "nowrap" }}>Last seen</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {endUsers.map((user) => (
            <TableRow key={user.endUserKey} hover>
              <TableCell sx={{ maxWidth: 320 }}>
                <Link
                  component={RouterLink}
                  to={endUserAddress(user.endUserKey)}
                  sx={{ fontWeight: 600, overflowWrap: "anywhere" }}
                >
                  {user.endUserRef}
                </Link>
                <Typography variant="body2" color="text.secondary">
                  First seen <time dateTime={user.firstSeenAt}>{formatInstant(user.firstSeenAt)}</time>
                </Typography>
              </TableCell>
              <TableCell sx={{ ...narrowHidden, overflowWrap: "anywhere" }}>
                {user.agentIds.length === 0 ? "—" : user.agentIds.map(agentName).join(", ")}
              </TableCell>
              <TableCell align="right">{formatCount(user.memoryCount)}</TableCell>
              <TableCell align="right">
                {user.openFlags === 0 ? (
                  "0"
                ) : (
                  <Chip
                    size="small"
                    color="warning"
                    label={formatCount(user.openFlags)}
                    sx={{ bgcolor: warningDark }}
                  />
                )}
              </TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                <RelativeTime iso={user.lastSeenAt} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
