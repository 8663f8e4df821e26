/**
 * Log limits: journald's drop-in sets size and retention limits, and logrotate accepts the
 * appliance's rotation file (`logrotate -d`). The `su` line names the appliance's user, which
 * exists only in the image: here it is checked against root; the build checks it in the image
 * tree under chroot (appliance/build/check-tree.sh).
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";

// shell-outs are slow when the machine is busy (an image build or a VM on the other core)
setDefaultTimeout(30_000);
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { missing, run, skipMessage, stagedRoot, tempDir } from "./tools.ts";

const need = missing("logrotate");
if (need.length) console.warn(skipMessage("appliance logrotate", need));
const staged = stagedRoot();
afterAll(() => staged.cleanup());

describe("logs", () => {
  test("journald has size and retention limits", () => {
    const text = readFileSync(join(staged.root, "etc/systemd/journald.conf.d/nexus-mcp.conf"), "utf8");
    for (const key of [
      "Storage=persistent",
      "SystemMaxUse=",
      "SystemKeepFree=",
      "SystemMaxFileSize=",
      "MaxRetentionSec=",
    ]) {
      expect(text).toContain(key);
    }
  });

  test.skipIf(need.length > 0)("logrotate -d accepts /etc/logrotate.d/nexus-mcp", () => {
    const dir = tempDir("nexus-logrotate-");
    const conf = join(dir, "nexus-mcp");
    const text = readFileSync(join(staged.root, "etc/logrotate.d/nexus-mcp"), "utf8").replace(
      /su nexus-mcp nexus-mcp/g,
      "su root root",
    );
    writeFileSync(conf, text);
    const r = run(["logrotate", "-d", "-s", join(dir, "state"), conf]);
    expect(r.code).toBe(0);
    expect(r.out + r.err).toContain("rotating pattern: /var/log/nexus-mcp/*.log");
    expect(r.out + r.err).not.toMatch(/error:/);
  });
});
