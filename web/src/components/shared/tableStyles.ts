/** Styles the settings tables share. */

/** Read by screen readers, not shown: a column header for a column of buttons, for instance. */
export const visuallyHidden = {
  position: "absolute",
  width: "1px",
  height: "1px",
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
} as const;

/** Table cells with less side padding on phones, so four columns fit in 390 pixels. */
export const compactCells = { "& th, & td": { px: { xs: 1, sm: 2 } } } as const;
