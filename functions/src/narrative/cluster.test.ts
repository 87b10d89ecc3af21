/**
 * Which questions are the same question (cluster.ts): the annotation-reply matcher's decisions, found through the
 * content-word key, in clusters that are deterministic and bounded.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { matchQuestion } from "../accountability/annotations.js";
import { loadQuestionPairs, splitPairs } from "../accountability/testing/annotation-eval.js";
import {
  assignToCluster,
  clusterQuestions,
  contentKeyOf,
  maxClustersPerKey,
  questionShape,
  type Representative,
} from "./cluster.js";

const vacation = [
  "How many vacation days do full-time employees get?",
  "hi, how many vacation days do full time employees get",
  "How many vacation days do full-time employees get please?",
];

describe("the content key", () => {
  it("is shared by every pair the matcher merges, so looking up by it loses no match", () => {
    const questions = [
      ...vacation,
      "Can I carry over 5 days?",
      "can i carry over 5 days",
      "Can I carry over 6 days?",
      "Is parking free?",
      "Is parking not free?",
      "How do I move money from savings to checking?",
      "How do I move money from checking to savings?",
      "Hello, could you tell me how do I move money from savings to checking?",
    ];
    let merged = 0;
    for (const a of questions)
      for (const b of questions) {
        const sa = questionShape(a);
        const sb = questionShape(b);
        if (matchQuestion(sa, sb).matches) {
          merged++;
          expect(contentKeyOf(sa), `${a} / ${b}`).toBe(contentKeyOf(sb));
        }
      }
    expect(merged).toBeGreaterThan(questions.length); // some pairs beyond each question with itself
    expect(contentKeyOf(questionShape("Can I carry over 5 days?"))).not.toBe(
      contentKeyOf(questionShape("Can I carry over 6 days?")),
    );
    expect(contentKeyOf(questionShape("x"))).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("on the matcher's labelled question pairs", () => {
  it("merges exactly the pairs the matcher matches, and no pair labelled different on either half", async () => {
    const pairs = await loadQuestionPairs(
      fileURLToPath(new URL("../accountability/testing/annotation-pairs.json", import.meta.url)),
    );
    const { tuning, heldOut } = splitPairs(pairs);
    const lines = [
      "Question clusters on the labelled pairs (the matcher's threshold was chosen on the tuning half)",
    ];
    for (const [name, half] of [
      ["tuning half (IN-SAMPLE)", tuning],
      ["held-out half (OUT-OF-SAMPLE)", heldOut],
    ] as const) {
      let paraphrasesMerged = 0;
      let differentMerged = 0;
      for (const p of half) {
        const { clusters } = clusterQuestions([p.a, p.b], (q) => q);
        const merged = clusters.length === 1;
        // Clustering is the matcher, found through the content key: it neither adds nor loses a match.
        expect(merged, p.id).toBe(matchQuestion(questionShape(p.a), questionShape(p.b)).matches);
        if (merged && p.label === "paraphrase") paraphrasesMerged++;
        if (merged && p.label === "different") differentMerged++;
      }
      const paraphrases = half.filter((p) => p.label === "paraphrase").length;
      lines.push(
        `  ${name}: ${half.length} pairs; paraphrases merged ${paraphrasesMerged}/${paraphrases}; ` +
          `different questions merged ${differentMerged}/${half.length - paraphrases}`,
      );
      expect(differentMerged).toBe(0);
    }
    console.log(`\n${lines.join("\n")}`);
  });
});

describe("assignToCluster", () => {
  const reps: Representative[] = [
    { id: "vacation", shape: questionShape(vacation[0] as string) },
    { id: "carry5", shape: questionShape("Can I carry over 5 days?") },
  ];

  it("puts a rephrasing in its cluster and a different question in none", () => {
    expect(assignToCluster(questionShape(vacation[1] as string), reps)?.id).toBe("vacation");
    expect(assignToCluster(questionShape("can i carry over 5 days"), reps)?.id).toBe("carry5");
    expect(assignToCluster(questionShape("Can I carry over 6 days?"), reps)).toBeNull();
    expect(assignToCluster(questionShape("How many sick days do full-time employees get?"), reps)).toBeNull();
    expect(assignToCluster(questionShape("?!"), reps)).toBeNull();
  });

  it("chooses the most similar representative, the earlier one on a tie", () => {
    const asked = questionShape("how many vacation days do full time employees get");
    const twins: Representative[] = [
      { id: "first", shape: questionShape("How many vacation days do full-time employees get?") },
      { id: "second", shape: questionShape("how many vacation days do full time employees get") },
    ];
    expect(assignToCluster(asked, twins)?.id).toBe("first");
    expect(assignToCluster(asked, twins)?.similarity).toBe(1);
    const closer: Representative[] = [
      { id: "filler", shape: questionShape("hi, how many vacation days do full time employees get") },
      { id: "exact", shape: questionShape("How many vacation days do full-time employees get") },
    ];
    expect(assignToCluster(asked, closer)?.id).toBe("exact");
  });

  it(`compares at most ${maxClustersPerKey} representatives`, () => {
    const many: Representative[] = Array.from({ length: maxClustersPerKey }, (_, i) => ({
      id: `other${i}`,
      shape: questionShape(`unrelated question number ${i}`),
    }));
    many.push({ id: "late", shape: questionShape(vacation[0] as string) });
    expect(assignToCluster(questionShape(vacation[0] as string), many)).toBeNull();
  });
});

describe("clusterQuestions", () => {
  it("groups near-identical phrasings, keeps different questions apart and counts phrasings", () => {
    const asked = [
      vacation[0],
      "Can I carry over 5 days?",
      vacation[1],
      "Can I carry over 6 days?",
      vacation[2],
      "how many vacation days do full-time employees get",
      "?!",
    ] as string[];
    const { clusters, unclustered } = clusterQuestions(asked, (q) => q);
    expect(clusters.map((c) => c.members)).toEqual([
      [vacation[0], vacation[1], vacation[2], "how many vacation days do full-time employees get"],
      ["Can I carry over 5 days?"],
      ["Can I carry over 6 days?"],
    ]);
    // Case and punctuation aside, the first and the fourth are one phrasing.
    expect(clusters.map((c) => c.phrasings)).toEqual([3, 1, 1]);
    expect(clusters[0]?.representative).toBe(vacation[0]);
    expect(unclustered).toBe(1);
  });

  it("is deterministic and stops opening clusters at the cap", () => {
    const asked = Array.from({ length: 30 }, (_, i) => `What is the policy for topic ${i}?`);
    asked.push("what is the policy for topic 3");
    const once = clusterQuestions(asked, (q) => q, { maxClusters: 10 });
    const again = clusterQuestions(asked, (q) => q, { maxClusters: 10 });
    expect(once).toEqual(again);
    expect(once.clusters).toHaveLength(10);
    expect(once.unclustered).toBe(20);
    // A question of an open cluster still joins it past the cap.
    expect(once.clusters[3]?.members).toHaveLength(2);
  });

  it("clusters a large list quickly (one key lookup per question)", () => {
    const asked = Array.from({ length: 20_000 }, (_, i) => `How do I reset the token of device ${i % 4000}?`);
    const started = performance.now();
    const { clusters } = clusterQuestions(asked, (q) => q);
    const ms = performance.now() - started;
    expect(clusters).toHaveLength(4000);
    expect(clusters.every((c) => c.members.length === 5)).toBe(true);
    console.log(`clustered 20,000 questions into 4,000 clusters in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(5000);
  });
});
