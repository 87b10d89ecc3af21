import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";
import { forgetSession } from "./session";

// Waits (findBy…, waitFor, waitForElementToBeRemoved) give up after 5 s instead of 1 s: on a busy 2-core CI
// machine a page's first render plus a MUI transition can take longer than a second. A correct page still
// passes at once; only a broken one waits the full time.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  // Testing Library unmounts automatically only when the test runner exposes globals; ours are imported.
  cleanup();
  // Every test starts signed out, as a fresh browser.
  forgetSession();
});
