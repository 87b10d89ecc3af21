/**
 * The KeywordIndex contract: one suite every KeywordIndex adapter runs (SQLite in local mode, the
 * DocStore-based one of Firebase mode), so keyword search ranks alike in both modes. It proves BM25's
 * behaviour rather than exact scores: rare terms outweigh common ones, more matched terms rank higher,
 * shorter entries win on equal matches, and statistics belong to one scope. Each test writes under its
 * own scope (a knowledge base's chunks collection path), so a shared emulator needs no reset.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenize } from "../text/analyzer.js";
import type { KeywordEntry, KeywordHit, KeywordIndex } from "../ports.js";

export interface OpenedKeywordIndex {
  readonly index: KeywordIndex;
  readonly close: () => Promise<void>;
}

/** An employee handbook, one passage per entry; the group is the document a passage comes from. */
const handbook: readonly KeywordEntry[] = [
  {
    id: "vacation-days",
    group: "leave",
    text: "Full-time employees receive 25 vacation days per calendar year. Vacation accrues monthly from the first day of employment.",
  },
  {
    id: "vacation-carry",
    group: "leave",
    text: "Up to five unused vacation days carry over to the next year; days above that expire on March 31.",
  },
  {
    id: "sick-leave",
    group: "leave",
    text: "Employees who are sick for more than three consecutive days must provide a doctor's note to their manager.",
  },
  {
    id: "parental-leave",
    group: "leave",
    text: "Every parent, whatever their gender, may take sixteen weeks of parental leave at full pay.",
  },
  {
    id: "sabbatical",
    group: "leave",
    text: "After seven years of service a sabbatical of up to three months can be requested from the board.",
  },
  {
    id: "expenses",
    group: "finance",
    text: "Expenses must be submitted within 30 days with the original receipts attached to the expense report.",
  },
  {
    id: "travel",
    group: "finance",
    text: "Employees book business travel through the travel portal; flights longer than six hours may be booked in business class.",
  },
  {
    id: "pension",
    group: "finance",
    text: "The pension plan matches employee contributions up to five percent of salary.",
  },
  {
    id: "payroll",
    group: "finance",
    text: "Salaries are paid on the 25th of each month; employees find their payslips in the payroll portal under documents, statements and tax forms, together with the annual summary for their tax return and the records of every bonus, allowance, deduction, reimbursement and correction made by the payroll team during the year, and a note on pension contributions.",
  },
  {
    id: "laptop",
    group: "it",
    text: "Every employee receives a laptop; lost or stolen equipment must be reported to the IT helpdesk within a day.",
  },
  {
    id: "passwords",
    group: "it",
    text: "Passwords are rotated every ninety days and must never be shared, not even with the IT helpdesk.",
  },
  {
    id: "phishing",
    group: "it",
    text: "Report phishing emails to the security team with the report button; never open unexpected attachments.",
  },
];

const byId = (hits: readonly KeywordHit[]): string[] => hits.map((h) => h.id);
const scoreOf = (hits: readonly KeywordHit[], id: string): number => {
  const hit = hits.find((h) => h.id === id);
  if (!hit) throw new Error(`${id} was not found`);
  return hit.score;
};

export function describeKeywordIndexContract(name: string, open: () => Promise<OpenedKeywordIndex>): void {
  describe(`KeywordIndex contract: ${name}`, () => {
    let opened: OpenedKeywordIndex | undefined;
    const index = (): KeywordIndex => {
      if (opened === undefined) throw new Error("the index is not open");
      return opened.index;
    };

    const run = randomBytes(4).toString("hex");
    let sequence = 0;
    /** A scope no other test (or earlier run against the same emulator) uses. */
    const scope = (): string => `tenants/kw_${run}/knowledgeBases/kb${++sequence}/chunks`;
    const withHandbook = async (): Promise<string> => {
      const s = scope();
      await index().upsert(s, handbook);
      return s;
    };

    beforeAll(async () => {
      opened = await open();
    });
    afterAll(async () => {
      await opened?.close();
    });

    it("finds entries through the shared analyzer: case, plurals and -ing forms meet", async () => {
      const s = await withHandbook();
      const hits = await index().search(s, "EXPENSE Receipt", 5);
      expect(byId(hits)[0]).toBe("expenses");
      expect(byId(await index().search(s, "phished email reporting", 3))[0]).toBe("phishing");
    });

    it("returns positive scores, best first", async () => {
      const s = await withHandbook();
      const hits = await index().search(s, "employees vacation days", 12);
      expect(hits.length).toBeGreaterThan(3);
      for (const h of hits) expect(h.score).toBeGreaterThan(0);
      for (let i = 1; i < hits.length; i++)
        expect(hits[i]?.score).toBeLessThanOrEqual(hits[i - 1]?.score ?? Infinity);
    });

    it("reports how many entries hold each term of a text, following writes and removals", async () => {
      const s = await withHandbook();
      const holding = (term: string): number =>
        handbook.filter((e) => tokenize(e.text).includes(term)).length;
      const stats = await index().termStats(s, "Employees' sabbatical zeppelin");
      expect(stats.entries).toBe(handbook.length);
      expect(stats.terms).toEqual([
        { term: "employe", df: holding("employe") },
        { term: "sabbatical", df: 1 },
        { term: "zeppelin", df: 0 },
      ]);
      expect(holding("employe")).toBeGreaterThan(1);
      await index().remove(s, ["sabbatical"]);
      const after = await index().termStats(s, "sabbatical");
      expect(after).toEqual({ entries: handbook.length - 1, terms: [{ term: "sabbatical", df: 0 }] });
      expect(await index().termStats(s, "the of and")).toEqual({ entries: handbook.length - 1, terms: [] });
    });

    it("ranks an entry with a rare query term above entries with only a common one", async () => {
      const s = await withHandbook();
      // "employee" is in half of the handbook, "sabbatical" in one passage that never says "employee".
      const hits = await index().search(s, "employee sabbatical", 12);
      expect(byId(hits)[0]).toBe("sabbatical");
      expect(byId(hits)).toContain("pension");
    });

    it("ranks an entry matching more of the query's terms higher", async () => {
      const s = await withHandbook();
      const hits = await index().search(s, "vacation days carry over next year", 5);
      expect(byId(hits).slice(0, 2)).toEqual(["vacation-carry", "vacation-days"]);
    });

    it("ranks a shorter entry above a longer one with the same match", async () => {
      const s = await withHandbook();
      // Both mention "pension" once; the payroll passage is four times as long.
      const hits = await index().search(s, "pension", 5);
      expect(byId(hits)).toEqual(["pension", "payroll"]);
      expect(scoreOf(hits, "pension")).toBeGreaterThan(scoreOf(hits, "payroll"));
    });

    it("returns at most `limit` hits; a limit of 0 returns none", async () => {
      const s = await withHandbook();
      const all = await index().search(s, "employees days", 20);
      expect(all.length).toBeGreaterThan(3);
      expect(await index().search(s, "employees days", 3)).toEqual(all.slice(0, 3));
      expect(await index().search(s, "employees days", 0)).toEqual([]);
    });

    it("finds nothing for an empty, punctuation-only, stop-word-only or unknown query", async () => {
      const s = await withHandbook();
      for (const query of ["", "   ", "?!… — ;", "how do I get it", "zeppelin xylophone"])
        expect(await index().search(s, query, 5)).toEqual([]);
      expect(await index().search(scope(), "vacation", 5)).toEqual([]); // a scope with no entries
    });

    it("gives equal scores to identical entries and orders them by id", async () => {
      const s = scope();
      const text = "Remote work is allowed two days per week with the manager's agreement.";
      await index().upsert(s, [
        { id: "remote-b", group: "g", text },
        { id: "remote-a", group: "g", text },
        ...handbook,
      ]);
      const hits = await index().search(s, "remote work", 5);
      expect(byId(hits).slice(0, 2)).toEqual(["remote-a", "remote-b"]);
      expect(hits[0]?.score).toBe(hits[1]?.score);
    });

    it("keeps scopes apart: entries, removals and statistics", async () => {
      const first = await withHandbook();
      const second = scope();
      await index().upsert(second, [
        { id: "vacation-days", group: "leave", text: "Contractors are not entitled to paid vacation." },
      ]);
      const before = await index().search(first, "vacation days", 5);
      expect(byId(await index().search(second, "vacation days", 5))).toEqual(["vacation-days"]);
      expect(byId(await index().search(second, "calendar year", 5))).toEqual([]);

      // Filling another scope with the same words changes neither this scope's hits nor its scores.
      await index().upsert(
        second,
        Array.from({ length: 40 }, (_, i) => ({
          id: `v${i}`,
          group: "bulk",
          text: `Vacation days note ${i}.`,
        })),
      );
      await index().remove(second, ["vacation-days"]);
      expect(await index().search(first, "vacation days", 5)).toEqual(before);
    });

    it("upsert replaces an entry's text, and the scope's statistics follow", async () => {
      const s = await withHandbook();
      expect(byId(await index().search(s, "stolen equipment", 5))).toEqual(["laptop"]);
      await index().upsert(s, [
        {
          id: "laptop",
          group: "it",
          text: "Every employee may work from home on Fridays with a company laptop.",
        },
      ]);
      expect(byId(await index().search(s, "stolen equipment", 5))).not.toContain("laptop");
      expect(byId(await index().search(s, "home fridays", 5))).toEqual(["laptop"]);

      // The same final entries written at once score the same.
      const fresh = scope();
      await index().upsert(
        fresh,
        handbook.map((e) =>
          e.id === "laptop"
            ? { ...e, text: "Every employee may work from home on Fridays with a company laptop." }
            : e,
        ),
      );
      const query = "employee laptop home vacation";
      const [a, b] = [await index().search(s, query, 12), await index().search(fresh, query, 12)];
      expect(byId(a)).toEqual(byId(b));
      a.forEach((hit, i) => expect(hit.score).toBeCloseTo(b[i]?.score ?? 0, 9));
    });

    it("upserting the same entries again changes nothing (a retried step is harmless)", async () => {
      const s = await withHandbook();
      const before = await index().search(s, "employees travel portal", 12);
      await index().upsert(s, handbook);
      const after = await index().search(s, "employees travel portal", 12);
      expect(byId(after)).toEqual(byId(before));
      after.forEach((hit, i) => expect(hit.score).toBeCloseTo(before[i]?.score ?? 0, 9));
    });

    it("remove drops entries and their statistics; unknown ids are not an error", async () => {
      const s = await withHandbook();
      expect(byId(await index().search(s, "phishing passwords", 5)).sort()).toEqual([
        "passwords",
        "phishing",
      ]);
      await index().remove(s, ["phishing", "passwords", "no-such-entry"]);
      expect(byId(await index().search(s, "phishing passwords", 5))).toEqual([]);

      const fresh = scope();
      await index().upsert(
        fresh,
        handbook.filter((e) => e.id !== "phishing" && e.id !== "passwords"),
      );
      const query = "employees helpdesk laptop";
      const [a, b] = [await index().search(s, query, 12), await index().search(fresh, query, 12)];
      expect(byId(a)).toEqual(byId(b));
      a.forEach((hit, i) => expect(hit.score).toBeCloseTo(b[i]?.score ?? 0, 9));
      await index().remove(s, []);
    });

    it("removeGroup drops exactly the entries of one group", async () => {
      const s = await withHandbook();
      expect(byId(await index().search(s, "sabbatical", 3))).toEqual(["sabbatical"]);
      await index().removeGroup(s, "leave");
      await index().removeGroup(s, "no-such-group");
      expect(await index().search(s, "vacation sick parental sabbatical", 10)).toEqual([]);
      expect(byId(await index().search(s, "expense receipts", 3))[0]).toBe("expenses");
      expect(byId(await index().search(s, "helpdesk", 5)).sort()).toEqual(["laptop", "passwords"]);
      // A removed group can be indexed again (a re-ingested document).
      await index().upsert(
        s,
        handbook.filter((e) => e.group === "leave"),
      );
      expect(byId(await index().search(s, "sabbatical", 3))).toEqual(["sabbatical"]);
    });

    it("indexes more entries than one write batch holds", async () => {
      const s = scope();
      const entries = Array.from({ length: 450 }, (_, i) => ({
        id: `chunk-${String(i).padStart(3, "0")}`,
        group: `doc-${i % 9}`,
        text: `Section ${i} of the operations manual covers warehouse shift ${i % 17} and forklift checks.`,
      }));
      entries[321] = { ...entries[321]!, text: "The emergency generator is tested every Tuesday at noon." };
      await index().upsert(s, entries);
      expect(byId(await index().search(s, "generator tested", 3))).toEqual(["chunk-321"]);
      await index().removeGroup(s, "doc-6"); // 321 % 9 === 6
      expect(await index().search(s, "generator tested", 3)).toEqual([]);
      expect((await index().search(s, "forklift", 500)).length).toBe(400);
    });
  });
}
