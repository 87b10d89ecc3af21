// parse-prometheus-text-format ships no types; prometheus.test.ts reads /metrics with it. The shape is prom2json's.
declare module "parse-prometheus-text-format" {
  export interface PrometheusSample {
    readonly value?: string;
    readonly labels?: Record<string, string>;
    /** Histograms: cumulative counts by `le` (every series of the family folded into one, by this parser). */
    readonly buckets?: Record<string, string>;
    readonly count?: string;
    readonly sum?: string;
    readonly timestamp_ms?: string;
  }
  export interface PrometheusFamily {
    readonly name: string;
    readonly help: string;
    readonly type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    readonly metrics: PrometheusSample[];
  }
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
