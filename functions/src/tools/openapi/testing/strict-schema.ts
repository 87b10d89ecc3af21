/**
 * The strict JSON Schema 2020-12 validator the importer's output is held to: Ajv 8 in strict mode (unknown
 * keywords, keywords without their type, required names not declared, tuples... all refused), union types
 * allowed, formats as annotations (2020-12's default; OpenAPI's int32 or GitHub's "repo.nwo" are not
 * Ajv's to know).
 */
import { Ajv2020 } from "ajv/dist/2020.js";

export function strictAjv(): Ajv2020 {
  return new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false });
}
