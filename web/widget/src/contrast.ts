/** Colour decisions from the site owner's theme colour, so any colour they pick stays readable (WCAG 2.x). */

/** Relative luminance of "#RRGGBB": https://www.w3.org/TR/WCAG21/#dfn-relative-luminance */
export function luminance(hex: string): number {
  const channel = (at: number) => {
    const c = parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The contrast ratio of two colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** White or black text on the theme colour: whichever contrasts more. */
export function textColorOn(background: string): "#ffffff" | "#000000" {
  return contrastRatio(background, "#ffffff") >= contrastRatio(background, "#000000") ? "#ffffff" : "#000000";
}

/** The focus ring on the white panel: the theme colour when it is visible there (3:1), else near-black. */
export function focusRingOn(background: string): string {
  return contrastRatio(background, "#ffffff") >= 3 ? background : "#1a1a1a";
}
