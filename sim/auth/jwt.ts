/**
 * Session tokens shaped like ND's: an RS256 JWT whose payload carries `exp` and an `avpair`
 * (`shell:domains=all/admin/`). The simulator never verifies the signature — it looks the token
 * up in its session store — but signs it for real so clients that decode or inspect it see a
 * well-formed token.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

let signingKey: KeyObject | undefined;

/** One RSA key per process: generating it costs tens of milliseconds, tests start many simulators. */
function key(): KeyObject {
  signingKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  return signingKey;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

export interface TokenClaims {
  userName: string;
  roles: string[];
  issuedAtMs: number;
  expiresAtMs: number;
  clusterName: string;
}

export function avpairFor(roles: string[]): string {
  const role = roles.includes("super-admin") ? "admin" : (roles[0] ?? "observer");
  return `shell:domains=all/${role}/`;
}

export function issueJwt(claims: TokenClaims): string {
  const header = { alg: "RS256", typ: "JWT", kid: "ndsim" };
  const payload = {
    avpair: avpairFor(claims.roles),
    clustername: claims.clusterName,
    iss: "Cisco Nexus Dashboard",
    username: claims.userName,
    rid: claims.userName,
    sessionid: randomBytes(12).toString("hex"),
    iat: Math.floor(claims.issuedAtMs / 1000),
    exp: Math.floor(claims.expiresAtMs / 1000),
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = sign("sha256", Buffer.from(signingInput), key());
  return `${signingInput}.${signature.toString("base64url")}`;
}
