import { expect, test } from "bun:test";
import { Writable } from "node:stream";
import { createLogger } from "../../app/log.ts";

test("log lines are JSON and never carry passwords, tokens, cookies or authorization headers", async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger("info", sink);
  log.info(
    {
      password: "hunter2",
      user: { token: "nmg_abc" },
      headers: { authorization: "Bearer s3cret", cookie: "sid=1" },
      path: "/x",
    },
    "request",
  );
  await Bun.sleep(10);
  const line = JSON.parse(lines[0]!);
  expect(line.path).toBe("/x");
  expect(line.msg).toBe("request");
  const text = lines.join("");
  for (const secret of ["hunter2", "nmg_abc", "s3cret", "sid=1"]) expect(text).not.toContain(secret);
});
