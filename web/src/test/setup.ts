import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { forgetSession } from "./session";

afterEach(() => {
  // Testing Library unmounts automatically only when the test runner exposes globals; ours are imported.
  cleanup();
  // Every test starts signed out, as a fresh browser.
  forgetSession();
});
