import { analyticsRequestPath, parseAnalytics, type AnalyticsSource } from "../analytics";
import { requestAsSignedIn } from "../session";

export const restAnalytics: AnalyticsSource = {
  async getAnalytics(request, signal) {
    const path = analyticsRequestPath(request);
    return parseAnalytics(await requestAsSignedIn(path, { signal }), path);
  },
};
