/**
 * The page frame: sidebar navigation to every page the user may open, a top bar with the user and
 * sign-out, and the main column. Also the bare frame of the sign-in pages. htmx is configured
 * here (no eval, no inline indicator styles, no history snapshots in localStorage).
 */
import { html, join, type SafeHtml } from "./html.ts";

export interface AssetUrls {
  css: string;
  htmx: string;
  js: string;
}

export interface NavLink {
  href: string;
  label: string;
  group: string;
}

export interface FrameProps {
  title: string;
  /** Path of the page, to mark its link as current. */
  current: string;
  links: NavLink[];
  username: string;
  csrf: string;
  assets: AssetUrls;
  main: SafeHtml;
}

/**
 * htmx settings. allowEval=false: no hx-on, no `js:` values, no eval (CSP has no unsafe-eval);
 * includeIndicatorStyles=false: htmx would inject a <style>; historyCacheSize=0: page snapshots
 * (which may hold a token shown once) are never written to localStorage, back/forward refetch;
 * responseHandling: 4xx/5xx answers are swapped too, so error fragments reach the user.
 */
const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  selfRequestsOnly: true,
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "[45]..", swap: true, error: true },
  ],
});

function head(title: string, assets: AssetUrls, csrf: string | null): SafeHtml {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
${csrf ? html`<meta name="csrf-token" content="${csrf}">` : ""}
<title>${title} · Nexus MCP Gateway</title>
<link rel="stylesheet" href="${assets.css}">
<script src="${assets.htmx}" defer></script>
<script src="${assets.js}" defer></script>
</head>`;
}

export function navigation(links: NavLink[], current: string, oob = false): SafeHtml {
  const groups: string[] = [];
  for (const l of links) if (!groups.includes(l.group)) groups.push(l.group);
  const isCurrent = (href: string) =>
    href === "/" ? current === "/" : current === href || current.startsWith(`${href}/`);
  return html`<nav id="nav" aria-label="Pages"${oob ? html` hx-swap-oob="true"` : ""}><ul class="nav">${join(
    groups.map(
      (g) =>
        html`<li class="group" aria-hidden="true">${g}</li>${join(
          links
            .filter((l) => l.group === g)
            .map(
              (l) =>
                html`<li><a href="${l.href}"${isCurrent(l.href) ? html` aria-current="page"` : ""}>${l.label}</a></li>`,
            ),
        )}`,
    ),
  )}</ul></nav>`;
}

/** What a boosted htmx navigation swaps into #main: the title, the navigation (out of band) and the content. */
export function mainSwap(props: Pick<FrameProps, "title" | "current" | "links" | "main">): SafeHtml {
  return html`<title>${props.title} · Nexus MCP Gateway</title>${navigation(props.links, props.current, true)}${props.main}`;
}

export function frame(props: FrameProps): SafeHtml {
  return html`<html lang="en">
${head(props.title, props.assets, props.csrf)}
<body hx-boost="true" hx-target="#main" hx-swap="innerHTML show:window:top">
<a class="skip" href="#main">Skip to content</a>
<div class="frame">
<aside class="sidebar">
<a class="brand" href="/">Nexus MCP Gateway<small>Admin console</small></a>
${navigation(props.links, props.current)}
</aside>
<div>
<header class="topbar">
<span>Signed in as <a href="/account"><strong>${props.username}</strong></a></span>
<form method="post" action="/logout" hx-boost="false"><input type="hidden" name="csrf" value="${props.csrf}"><button class="secondary" type="submit">Sign out</button></form>
</header>
<main id="main" tabindex="-1">
${props.main}
</main>
</div>
</div>
</body>
</html>`;
}

export interface BareProps {
  title: string;
  assets: AssetUrls;
  csrf: string | null;
  main: SafeHtml;
}

/** Sign-in and forced password change: a centred card, no navigation, no htmx boosting. */
export function bare(props: BareProps): SafeHtml {
  return html`<html lang="en">
${head(props.title, props.assets, props.csrf)}
<body>
<main id="main" class="center">
<div class="card">${props.main}</div>
</main>
</body>
</html>`;
}

export type NoticeKind = "ok" | "warn" | "bad";

export function notice(kind: NoticeKind, message: string | SafeHtml): SafeHtml {
  return html`<div class="notice ${kind}" role="${kind === "bad" ? "alert" : "status"}">${message}</div>`;
}
