/** Read by screen readers, not shown: a column's name, a file input's label, an announcement. */
export const visuallyHidden = {
  position: "absolute",
  // Strings: in `sx`, a number up to 1 would be a fraction of the parent (width: 1 is 100%).
  width: "1px",
  height: "1px",
  margin: "-1px",
  padding: 0,
  border: 0,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
} as const;
