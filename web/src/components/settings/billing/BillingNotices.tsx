import { useId } from "react";
import { Box, Chip, Paper, Stack, Typography } from "@mui/material";
import type { BillingNotice } from "../../../data/billing";
import { warningDark } from "../../../theme";
import { RelativeTime } from "../../RelativeTime";
import { SectionHeader } from "../../shared/SectionHeader";

/** What each kind of notice is about, in a word or two; an unknown kind is shown as the platform names it. */
const kindLabels: Readonly<Record<string, string>> = {
  "limit-80": "80% of a limit",
  "limit-100": "Limit reached",
  "limit-refused": "Work refused",
  "credits-exhausted": "Out of credits",
  "payment-failed": "Payment failed",
  "meter-drift": "Metering check",
};

const serious = new Set(["limit-refused", "credits-exhausted", "payment-failed"]);

/** The platform's billing notices, newest first: limits nearly or fully used, refusals, payment problems. */
export function BillingNotices({ notices }: { readonly notices: readonly BillingNotice[] }) {
  const headingId = useId();
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Notices"
        level="h3"
        description="The platform leaves one when a limit is nearly or fully used, work is refused, or a payment fails (once per period for each)."
      />
      {notices.length === 0 ? (
        <Typography color="text.secondary">
          No notices: no limit was reached and no payment failed.
        </Typography>
      ) : (
        <Paper component="ul" aria-labelledby={headingId} sx={{ m: 0, p: 0, listStyle: "none" }}>
          {notices.map((notice, i) => (
            <Box
              component="li"
              key={notice.id}
              sx={{
                px: { xs: 2, sm: 2.5 },
                py: 1.5,
                borderTop: i === 0 ? undefined : 1,
                borderColor: "divider",
                display: "flex",
                flexWrap: "wrap",
                gap: 1,
                alignItems: "baseline",
              }}
            >
              <Chip
                size="small"
                label={kindLabels[notice.kind] ?? notice.kind}
                color={serious.has(notice.kind) ? "error" : "warning"}
                sx={serious.has(notice.kind) ? undefined : { bgcolor: warningDark }}
              />
              <Typography sx={{ flex: "1 1 320px", minWidth: 0, overflowWrap: "anywhere" }}>
                {notice.message}
              </Typography>
              <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: "nowrap" }}>
                <RelativeTime iso={notice.at} />
              </Typography>
            </Box>
          ))}
        </Paper>
      )}
    </Stack>
  );
}
