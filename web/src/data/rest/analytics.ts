import type { AnalyticsSource } from "../analytics";

export const restAnalytics: AnalyticsSource = {};
