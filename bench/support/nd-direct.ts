/**
 * Direct requests to the simulator, authenticated as the gateway's ND client is (one login,
 * then the JWT as Bearer and AuthCookie), so the simulator does the same work per request
 * whether a call comes through the gateway, the peer or straight from the load client.
 */
export interface NdDirect {
  token: string;
  headers: Record<string, string>;
  get(pathAndQuery: string): Promise<{ status: number; text: string }>;
}

export async function ndDirect(sim: { url: string; caPem: string }): Promise<NdDirect> {
  const tls = { ca: sim.caPem };
  const login = await fetch(`${sim.url}/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userName: "admin", userPasswd: "nd-sim-password", domain: "local" }),
    tls,
  } as RequestInit);
  const { token } = (await login.json()) as { token: string };
  if (!token) throw new Error(`simulator login failed (HTTP ${login.status})`);
  const headers = { authorization: `Bearer ${token}`, cookie: `AuthCookie=${token}`, accept: "application/json" };
  return {
    token,
    headers,
    async get(pathAndQuery) {
      const res = await fetch(`${sim.url}${pathAndQuery}`, { headers, tls } as RequestInit);
      return { status: res.status, text: await res.text() };
    },
  };
}
