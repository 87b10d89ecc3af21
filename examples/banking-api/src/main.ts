#!/usr/bin/env node
// `npm run example:bank`: the demo bank on 127.0.0.1, port BANK_PORT (default 8791).
import { portFromEnvironment, startBank } from "./service.js";

let port: number;
try {
  port = portFromEnvironment(process.env["BANK_PORT"]);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
const bank = await startBank({
  port,
  log: (entry) => console.log(JSON.stringify({ time: new Date().toISOString(), ...entry })),
});
console.log(bank.banner);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void bank.close().then(() => process.exit(0));
  });
}
