import { afterAll, expect, test } from "bun:test";
import { Conflict } from "../../app/errors.ts";
import { deleteUser, revokeRole, setUserActive } from "../../app/identity/users.ts";
import { loadPrincipal } from "../../app/identity/principals.ts";
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
  await expect(setUserActive(sql, root.username, false, cli())).rejects.toThrow(Conflict);
  await expect(revokeRole(sql, root.username, "admin", cli())).rejects.toThrow(/would leave no active admin/);
  await expect(deleteUser(sql, root.username, cli())).rejects.toThrow(Conflict);
  expect(await activeAdmins()).toEqual(["root1"]);
  // …but a second admin makes each change possible.
  await addUser(sql, { username: "root2", roles: ["admin"] });
  expect(await revokeRole(sql, root.username, "admin", cli())).toBe(true);
  expect(await activeAdmins()).toEqual(["root2"]);
  await expect(setUserActive(sql, "root2", false, cli())).rejects.toThrow(Conflict);
});

test("an inactive admin does not count; a non-admin change is never blocked", async () => {
  const plain = await addUser(sql);
  await setUserActive(sql, plain.username, false, cli());
  await setUserActive(sql, plain.username, true, cli());
  await deleteUser(sql, plain.username, cli());
});

test("two admins disabling or demoting each other at the same moment: one always remains", async () => {
  for (let round = 0; round < 6; round++) {
    const a = await addUser(sql, { roles: ["admin"] });
    const b = await addUser(sql, { roles: ["admin"] });
    // Leave exactly these two as the active admins.
    for (const name of await activeAdmins()) if (name !== a.username && name !== b.username) await setUserActive(sql, name, false, cli());
    expect((await activeAdmins()).sort()).toEqual([a.username, b.username].sort());
    const byA = { by: (await loadPrincipal(sql, a.id, "session"))! };
    const byB = { by: (await loadPrincipal(sql, b.id, "session"))! };
    const changes =
      round % 2 === 0
        ? [setUserActive(sql, b.username, false, byA), setUserActive(sql, a.username, false, byB)]
        : [revokeRole(sql, b.username, "admin", byA), deleteUser(sql, a.username, byB)];
    const results = await Promise.allSettled(changes);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(Conflict);
    expect(await activeAdmins()).toHaveLength(1);
  }
});
