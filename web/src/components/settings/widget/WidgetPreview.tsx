import { Box, SvgIcon, Typography } from "@mui/material";
import type { Theme } from "../../../data/widgets";

/** Black or white, whichever reads better on `color` (`#rrggbb`), by WCAG contrast. */
export function textColorOn(color: string): "#ffffff" | "#111111" {
  const channel = (offset: number) => {
    const c = parseInt(color.slice(offset, offset + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  const onWhite = 1.05 / (luminance + 0.05);
  const onBlack = (luminance + 0.05) / (0.0065 + 0.05);
  return onWhite >= onBlack ? "#ffffff" : "#111111";
}

interface WidgetPreviewProps {
  /** What the form holds now, saved or not; `color` is the last valid one typed. */
  readonly theme: Theme;
  /** The widget's name, to tell previews apart. */
  readonly name: string;
}

/**
 * A still picture of the widget on a site, drawn by the studio (the widget bundle is not loaded): the page,
 * the launcher in its corner and colour, and the open panel with its title, greeting and suggested
 * questions. Nothing in it can be clicked; it redraws on every keystroke of the form beside it.
 */
export function WidgetPreview({ theme, name }: WidgetPreviewProps) {
  const side = theme.position === "bottom-left" ? "left" : "right";
  const onColor = textColorOn(theme.color);
  const corner = theme.position === "bottom-left" ? "bottom left" : "bottom right";
  return (
    <Box component="section" aria-label={`Live preview of ${name}`} sx={{ minWidth: 0 }}>
      <Typography variant="subtitle2" component="p" sx={{ mb: 1 }}>
        Live preview
      </Typography>
      <Box
        sx={{
          position: "relative",
          height: 480,
          overflow: "hidden",
          borderRadius: 1,
          border: 1,
          borderColor: "divider",
          bgcolor: "grey.100",
        }}
      >
        <FakePage />
        <Box
          style={{ [side]: 16 }}
          sx={{
            position: "absolute",
            bottom: 88,
            width: "min(320px, calc(100% - 32px))",
            maxHeight: "calc(100% - 104px)",
            display: "flex",
            flexDirection: "column",
            bgcolor: "background.paper",
            borderRadius: 2,
            boxShadow: 6,
            overflow: "hidden",
          }}
        >
          <Box
            style={{ backgroundColor: theme.color, color: onColor }}
            sx={{ px: 2, py: 1.5, display: "flex", alignItems: "center", gap: 1 }}
          >
            <Typography
              component="p"
              sx={{ flex: 1, minWidth: 0, fontWeight: 600, overflowWrap: "anywhere", color: "inherit" }}
            >
              {theme.title.trim() === "" ? "\u00a0" : theme.title}
            </Typography>
            <Box component="span" aria-hidden sx={{ fontSize: "1.25rem", lineHeight: 1 }}>
              ×
            </Box>
          </Box>
          <Box sx={{ p: 2, display: "flex", flexDirection: "column", gap: 1.5, overflowY: "auto" }}>
            {theme.greeting.trim() !== "" && (
              <Typography
                variant="body2"
                sx={{
                  alignSelf: "flex-start",
                  maxWidth: "85%",
                  px: 1.5,
                  py: 1,
                  borderRadius: 2,
                  bgcolor: "grey.100",
                  whiteSpace: "pre-wrap",
                  overflowWrap: "anywhere",
                }}
              >
                {theme.greeting}
              </Typography>
            )}
            {theme.suggestedQuestions.length > 0 && (
              <Box
                component="ul"
                aria-label="Suggested questions"
                sx={{ listStyle: "none", m: 0, p: 0, display: "flex", flexDirection: "column", gap: 0.75 }}
              >
                {theme.suggestedQuestions.map((question, index) => (
                  <Box
                    component="li"
                    key={index}
                    style={{ borderColor: theme.color, color: theme.color }}
                    sx={{
                      alignSelf: "flex-end",
                      maxWidth: "90%",
                      px: 1.5,
                      py: 0.5,
                      border: 1,
                      borderRadius: 4,
                      fontSize: "0.8125rem",
                      fontWeight: 600,
                      overflowWrap: "anywhere",
                    }}
                  >
                    {question}
                  </Box>
                ))}
              </Box>
            )}
          </Box>
          <Box
            aria-hidden
            sx={{ mt: "auto", p: 1.5, borderTop: 1, borderColor: "divider", display: "flex", gap: 1 }}
          >
            <Box
              sx={{
                flex: 1,
                px: 1.5,
                py: 0.75,
                borderRadius: 4,
                border: 1,
                borderColor: "divider",
                color: "text.secondary",
                fontSize: "0.875rem",
              }}
            >
              Ask a question…
            </Box>
            <Box
              style={{ backgroundColor: theme.color, color: onColor }}
              sx={{ px: 1.5, py: 0.75, borderRadius: 4, fontSize: "0.875rem", fontWeight: 600 }}
            >
              Send
            </Box>
          </Box>
        </Box>
        <Box
          role="img"
          aria-label={`Chat button, ${corner}`}
          style={{ [side]: 16, backgroundColor: theme.color, color: onColor }}
          sx={{
            position: "absolute",
            bottom: 16,
            width: 56,
            height: 56,
            borderRadius: "50%",
            boxShadow: 4,
            display: "flex",
            alignItems: "center",
            justifyContent: "center",
          }}
        >
          <SvgIcon aria-hidden sx={{ color: "inherit" }}>
            <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z" />
          </SvgIcon>
        </Box>
      </Box>
    </Box>
  );
}

/** A site's page, sketched in grey, so the widget is seen where it will be. */
function FakePage() {
  return (
    <Box aria-hidden sx={{ p: 2, display: "flex", flexDirection: "column", gap: 1 }}>
      <Box sx={{ height: 14, width: "40%", bgcolor: "grey.300", borderRadius: 1 }} />
      {[90, 75, 85, 60].map((width) => (
        <Box key={width} sx={{ height: 8, width: `${width}%`, bgcolor: "grey.200", borderRadius: 1 }} />
      ))}
    </Box>
  );
}
