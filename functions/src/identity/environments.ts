/**
 * A workspace's environments: named stages an agent version is promoted through (development → staging →
 * production by default). Production is always last, and is where an agent's `publishedVersion` serves.
 * API keys, widgets and WhatsApp numbers are bound to one environment (production unless told otherwise).
 */
import { z } from "zod";

export const productionEnvironment = "production";

export const environmentNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{1,29}$/,
    "must be 2-30 lowercase letters, digits or dashes, starting with a letter",
  );

export const environmentSchema = z.object({
  name: environmentNameSchema,
  label: z.string().trim().min(1).max(40),
});
export type Environment = z.infer<typeof environmentSchema>;

export const environmentsSchema = z
  .array(environmentSchema)
  .min(2, "a workspace has at least two environments")
  .max(6, "a workspace has at most six environments")
  .superRefine((list, ctx) => {
    const names = list.map((e) => e.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) ctx.addIssue({ code: "custom", message: `environment "${dup}" is listed twice` });
    if (names.at(-1) !== productionEnvironment) {
      ctx.addIssue({
        code: "custom",
        message: `the last environment must be "${productionEnvironment}" (where published versions serve)`,
      });
    }
  });

export const defaultEnvironments: readonly Environment[] = [
  { name: "development", label: "Development" },
  { name: "staging", label: "Staging" },
  { name: productionEnvironment, label: "Production" },
];
