/**
 * `bun run ndsim`: the Nexus Dashboard simulator as a standalone server. Prints where it listens,
 * the CA to trust and how to sign in, then serves until interrupted.
 */
import { parseFlags, USAGE } from "./cli-flags.ts";
import { DEFAULT_PASSWORD } from "./options.ts";
import { startSimulator } from "./simulator.ts";

const parsed = parseFlags(Bun.argv.slice(2));
if (parsed.kind === "help") {
  console.log(USAGE);
  process.exit(0);
}
if (parsed.kind === "errors") {
  console.error(`${parsed.errors.map((e) => `ndsim: ${e}`).join("\n")}\n\n${USAGE}`);
  process.exit(2);
}

const sim = await startSimulator({ ...parsed.options, log: (line) => console.error(line) });
const [admin] = sim.options.users;
const [adminKey] = sim.options.apiKeys;
console.log(`ndsim: Nexus Dashboard simulator (ND 4.1.1, NDFC 12.4.1.245) listening on ${sim.url}`);
if (sim.httpUrl) console.log(`ndsim: plain HTTP on ${sim.httpUrl}`);
console.log(`ndsim: CA certificate: ${sim.certPath}`);
// The development default is printed; a password chosen with --password is not echoed.
const shownPassword = admin?.password === DEFAULT_PASSWORD ? DEFAULT_PASSWORD : "<your --password>";
console.log(
  `ndsim: login: POST ${sim.url}/login {"userName":"${admin?.userName}","userPasswd":"${shownPassword}","domain":"local"} (domains: local, DefaultAuth, ${sim.options.remoteDomain})`,
);
console.log(`ndsim: API key: X-Nd-Username: ${adminKey?.userName}  X-Nd-Apikey: ${adminKey?.key}`);
console.log(
  `ndsim: ${sim.options.fabrics} fabrics x ${sim.options.switches} switches, seed ${sim.options.seed}, ${sim.routeCount} routes`,
);

const shutdown = async () => {
  await sim.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
