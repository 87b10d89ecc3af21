// `npm run openapi`: writes the OpenAPI document the server serves to openapi.json, the file tools import.
import { writeFileSync } from "node:fs";
import { openApiDocument } from "./openapi.js";

const file = new URL("../openapi.json", import.meta.url);
writeFileSync(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
