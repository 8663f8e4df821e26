import { callerFor } from "../support/callers.ts";
import { afterAll, expect, test } from "bun:test";
import { Conflict } from "../../app/errors.ts";
import { deleteUser, revokeRole, setUserActive } from "../../app/identity/users.ts";
import { loadPrincipal } from "../../app/identity/principal-loader.ts";
import { freshDatabase } from "../support/db.ts";
import { addUser, cli } from "./helpers.ts";

const db = await freshDatabase();
const sql = db.sql;
afterAll(() => db.close());

async function activeAdmins(): Promise<string[]> {
  const rows = await sql<{ username: string }[]>`
    select u.username from users u join user_roles ur on ur.user_id = u.id join roles r on r.id = ur.role_id
    where r.name = 'admin' and u.active order by u.username`;
  return rows.map((r) => r.username);
}

test("the last active admin cannot be deactivated, demoted or deleted", async () => {
  const root = await addUser(sql, { username: "root1", roles: ["admin"] });
  await expect(setUserActive(sql, cli(), root.username, false)).rejects.toThrow(Conflict);
  await expect(revokeRole(sql, cli(), root.username, "admin")).rejects.toThrow(/would leave no active admin/);
  await expect(deleteUser(sql, cli(), root.username)).rejects.toThrow(Conflict);
  expect(await activeAdmins()).toEqual(["root1"]);
  // …but a second admin makes each change possible.
  await addUser(sql, { username: "root2", roles: ["admin"] });
  expect(await revokeRole(sql, cli(), root.username, "admin")).toBe(true);
  expect(await activeAdmins()).toEqual(["root2"]);
  await expect(setUserActive(sql, cli(), "root2", false)).rejects.toThrow(Conflict);
});

test("an inactive admin does not count; a non-admin change is never blocked", async () => {
  const plain = await addUser(sql);
  await setUserActive(sql, cli(), plain.username, false);
  await setUserActive(sql, cli(), plain.username, true);
  await deleteUser(sql, cli(), plain.username);
});

test("two admins disabling or demoting each other at the same moment: one always remains", async () => {
  for (let round = 0; round < 6; round++) {
    const a = await addUser(sql, { roles: ["admin"] });
    const b = await addUser(sql, { roles: ["admin"] });
    // Leave exactly these two as the active admins.
    for (const name of await activeAdmins())
      if (name !== a.username && name !== b.username) await setUserActive(sql, cli(), name, false);
    expect((await activeAdmins()).sort()).toEqual([a.username, b.username].sort());
    const byA = callerFor((await loadPrincipal(sql, a.id, "session"))!);
    const byB = callerFor((await loadPrincipal(sql, b.id, "session"))!);
    const changes =
      round % 2 === 0
        ? [setUserActive(sql, byA, b.username, false), setUserActive(sql, byB, a.username, false)]
        : [revokeRole(sql, byA, b.username, "admin"), deleteUser(sql, byB, a.username)];
    const results = await Promise.allSettled(changes);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(Conflict);
    expect(await activeAdmins()).toHaveLength(1);
  }
});
