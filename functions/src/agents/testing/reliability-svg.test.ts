import { describe, expect, it } from "vitest";
import { reliabilityBins } from "./answer-eval.js";
import { reliabilitySvg } from "./reliability-svg.js";

describe("reliability diagram", () => {
  const points = [
    { confidence: 0.05, correct: false },
    { confidence: 0.95, correct: true },
    { confidence: 0.92, correct: false },
    { confidence: 1, correct: true },
  ];

  it("bins by confidence, the last bin holding 1", () => {
    expect(reliabilityBins(points)).toEqual([
      { lo: 0, hi: 0.1, count: 1, meanConfidence: 0.05, accuracy: 0 },
      { lo: 0.9, hi: 1, count: 3, meanConfidence: (0.95 + 0.92 + 1) / 3, accuracy: 2 / 3 },
    ]);
  });

  it("draws one circle per bin per series, escapes labels, and states the ECE", () => {
    const svg = reliabilitySvg("Title <&>", [
      { label: "test half", colour: "#1565c0", points },
      { label: "tuning <half>", colour: "#ef6c00", points: points.slice(0, 2) },
    ]);
    expect(svg.startsWith("<svg xmlns=")).toBe(true);
    expect(svg.match(/<circle cx=/g)?.length).toBe(2 + 2 + 2); // bins of both series + two legend marks
    expect(svg).toContain("Title &lt;&amp;&gt;");
    expect(svg).toContain("tuning &lt;half&gt;: 2 questions, ECE 0.050");
    expect(svg).not.toContain("NaN");
  });
});
