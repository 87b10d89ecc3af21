import { useId } from "react";
import { Box, FormHelperText, Slider, Typography } from "@mui/material";

interface LabeledSliderProps {
  readonly label: string;
  readonly description: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly format: (value: number) => string;
  readonly onChange: (value: number) => void;
  readonly disabled: boolean;
  readonly error: string | undefined;
}

/** A slider with a visible label and value, named and described for screen readers, arrows to adjust. */
export function LabeledSlider({
  label,
  description,
  value,
  min,
  max,
  step,
  format,
  onChange,
  disabled,
  error,
}: LabeledSliderProps) {
  const labelId = useId();
  const descriptionId = useId();
  return (
    <Box>
      <Box sx={{ display: "flex", justifyContent: "space-between", alignItems: "baseline", gap: 2 }}>
        <Typography id={labelId} component="span" sx={{ fontWeight: 600 }}>
          {label}
        </Typography>
        <Typography component="span" aria-hidden="true" sx={{ fontVariantNumeric: "tabular-nums" }}>
          {format(value)}
        </Typography>
      </Box>
      <Slider
        value={value}
        min={min}
        max={max}
        step={step}
        disabled={disabled}
        onChange={(_event, next) => onChange(next)}
        getAriaValueText={format}
        valueLabelDisplay="auto"
        valueLabelFormat={format}
        aria-labelledby={labelId}
        slotProps={{ input: { "aria-describedby": descriptionId } }}
        sx={{ mt: 0.5 }}
      />
      <FormHelperText id={descriptionId} error={error !== undefined} sx={{ mt: 0 }}>
        {error ?? description}
      </FormHelperText>
    </Box>
  );
}
