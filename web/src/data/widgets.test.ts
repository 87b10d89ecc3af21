import { describe, expect, it } from "vitest";
import { colorProblem, readOrigin, readOriginLines } from "./widgets";

describe("reading allowed origins", () => {
  it("accepts https origins and plain http on this machine, as the platform stores them", () => {
    expect(readOrigin("https://Help.Acme.example/")).toEqual({ origin: "https://help.acme.example" });
    expect(readOrigin("https://help.acme.example:443")).toEqual({ origin: "https://help.acme.example" });
    expect(readOrigin("https://help.acme.example:8443")).toEqual({
      origin: "https://help.acme.example:8443",
    });
    expect(readOrigin("  http://localhost:5173 ")).toEqual({ origin: "http://localhost:5173" });
    expect(readOrigin("http://127.0.0.1")).toEqual({ origin: "http://127.0.0.1" });
  });

  it("says what is wrong with anything else", () => {
    expect(readOrigin("help.acme.example")).toEqual({
      problem: "start it with https://, as in https://www.example.com.",
    });
    expect(readOrigin("http://help.acme.example")).toEqual({
      problem: "use https://; plain http:// is only for localhost and 127.0.0.1.",
    });
    expect(readOrigin("https://help.acme.example/docs")).toEqual({
      problem: "only the origin, without a path: https://help.acme.example.",
    });
    expect(readOrigin("https://help.acme.example/?lang=en")).toMatchObject({ problem: /without a path/ });
    expect(readOrigin("https://*.acme.example")).toEqual({
      problem: "wildcards are not allowed: list each site's origin.",
    });
    expect(readOrigin("ftp://files.acme.example")).toMatchObject({ problem: /only https:\/\// });
    expect(readOrigin("https://ann@help.acme.example")).toMatchObject({ problem: /no user name/ });
  });

  it("reads a list line by line, naming each refused line, and sends each origin once", () => {
    const read = readOriginLines(
      [
        "https://help.acme.example",
        "",
        "http://acme.example",
        "https://help.acme.example/",
        "acme.example",
      ].join("\n"),
    );
    expect(read.origins).toEqual(["https://help.acme.example"]);
    expect(read.problems).toEqual([
      "Line 3 (http://acme.example): use https://; plain http:// is only for localhost and 127.0.0.1.",
      "Line 5 (acme.example): start it with https://, as in https://www.example.com.",
    ]);
    expect(readOriginLines(" \n").problems).toEqual([
      "Add the origin of at least one site that will embed the widget, such as https://www.example.com.",
    ]);
    const many = Array.from({ length: 21 }, (_, i) => `https://site${i}.acme.example`).join("\n");
    expect(readOriginLines(many).problems).toEqual(["At most 20 origins per widget (this list has 21)."]);
  });
});

describe("reading a colour", () => {
  it("takes # and six hexadecimal digits only", () => {
    expect(colorProblem("#1F6FEB")).toBeUndefined();
    expect(colorProblem("#1f6fe")).toMatch(/six hexadecimal digits/);
    expect(colorProblem("blue")).toMatch(/six hexadecimal digits/);
  });
});
