// Where the API lives. Empty: the same origin that served the app (the default, single-host
// deployment). A CDN build sets ATLAS_API_ORIGIN at build time (see web/README.md).
export const API_ORIGIN: string = (import.meta.env.VITE_ATLAS_API_ORIGIN as string | undefined) ?? "";

export function apiUrl(path: string): string {
  return `${API_ORIGIN}${path}`;
}

export function feedUrl(): string {
  const base = API_ORIGIN || window.location.origin;
  return base.replace(/^http/, "ws") + "/api/v1/feed";
}
