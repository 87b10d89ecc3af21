/**
 * A reliability diagram as a standalone SVG: for each series, the share of right outcomes against the mean
 * confidence of each equal-width confidence bin, with the bin's size; a calibrated confidence lies on the
 * diagonal. Written by `npm run calibrate` (heldout-quality.test.ts) for the README.
 */
import { expectedCalibrationError, reliabilityBins } from "./answer-eval.js";

export interface ReliabilitySeries {
  readonly label: string;
  readonly colour: string;
  readonly points: readonly { confidence: number; correct: boolean }[];
}

const escape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function reliabilitySvg(title: string, series: readonly ReliabilitySeries[]): string {
  const size = 360;
  const left = 56;
  const top = 40;
  const width = left + size + 24;
  const height = top + size + 56 + (series.length + 1) * 18;
  const x = (v: number): number => left + v * size;
  const y = (v: number): number => top + (1 - v) * size;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="13" font-weight="bold">${escape(title)}</text>`,
    `<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#999"/>`,
  ];
  for (let t = 0; t <= 10; t += 2) {
    const v = t / 10;
    parts.push(
      `<line x1="${x(v)}" y1="${y(0)}" x2="${x(v)}" y2="${y(1)}" stroke="#eee"/>`,
      `<line x1="${x(0)}" y1="${y(v)}" x2="${x(1)}" y2="${y(v)}" stroke="#eee"/>`,
      `<text x="${x(v)}" y="${y(0) + 14}" text-anchor="middle">${v.toFixed(1)}</text>`,
      `<text x="${x(0) - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#666" stroke-dasharray="4 3"/>`,
    `<text x="${x(0.5)}" y="${y(0) + 30}" text-anchor="middle">mean confidence in the bin</text>`,
    `<text transform="translate(14 ${y(0.5)}) rotate(-90)" text-anchor="middle">share right</text>`,
  );
  series.forEach((s, i) => {
    const bins = reliabilityBins(s.points);
    const path = bins.map(
      (b, j) => `${j === 0 ? "M" : "L"}${x(b.meanConfidence).toFixed(1)} ${y(b.accuracy).toFixed(1)}`,
    );
    if (path.length > 1)
      parts.push(`<path d="${path.join(" ")}" fill="none" stroke="${s.colour}" stroke-width="1.5"/>`);
    for (const b of bins) {
      const r = 2.5 + Math.sqrt(b.count);
      parts.push(
        `<circle cx="${x(b.meanConfidence).toFixed(1)}" cy="${y(b.accuracy).toFixed(1)}" r="${r.toFixed(1)}" fill="${s.colour}" fill-opacity="0.35" stroke="${s.colour}"><title>${escape(`${s.label}: ${b.count} in [${b.lo.toFixed(1)}, ${b.hi.toFixed(1)}), mean confidence ${b.meanConfidence.toFixed(2)}, ${(b.accuracy * 100).toFixed(0)}% right`)}</title></circle>`,
      );
    }
    const ly = top + size + 48 + i * 18;
    parts.push(
      `<circle cx="${left + 6}" cy="${ly - 4}" r="5" fill="${s.colour}" fill-opacity="0.35" stroke="${s.colour}"/>`,
      `<text x="${left + 18}" y="${ly}">${escape(`${s.label}: ${s.points.length} questions, ECE ${expectedCalibrationError(s.points).toFixed(3)}`)}</text>`,
    );
  });
  parts.push(
    `<text x="${left}" y="${top + size + 48 + series.length * 18}" fill="#555">circle area ∝ questions in the bin; the dashed diagonal is perfect calibration</text>`,
  );
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
