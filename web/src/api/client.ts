// Calls to the HTTP API with the in-memory bearer token. A 401 triggers one silent refresh
// and one retry; anything else that is not 2xx becomes an ApiError carrying the problem.
import { apiUrl } from "../config";
import { ApiError, networkProblem, problemOf } from "./problem";
import { accessTokenNow, forget, refresh } from "./session";

export interface RequestOptions {
  method?: string;
  body?: unknown;
  raw?: BodyInit;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | null | undefined | string[]>;
  signal?: AbortSignal;
  // Let the browser keep (and send) the API's cookies for this call. Only opening a start ticket
  // needs it: its answer binds this browser to the connect flow with a cookie.
  withCookies?: boolean;
}

export function withQuery(path: string, query: RequestOptions["query"]): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function send(path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined = options.raw;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  try {
    return await fetch(apiUrl(withQuery(path, options.query)), {
      method: options.method ?? "GET",
      headers,
      body: body ?? null,
      cache: "no-store",
      credentials: options.withCookies ? "same-origin" : "omit",
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(networkProblem());
  }
}

type ProblemListener = (error: ApiError) => void;
const problemListeners = new Set<ProblemListener>();

/** Hear every refusal (the shell notices a workspace turned read-only by someone else). */
export function onProblem(listener: ProblemListener): () => void {
  problemListeners.add(listener);
  return () => problemListeners.delete(listener);
}

/** The answer of a call that succeeded (2xx), after at most one refresh and retry. */
async function answer(path: string, options: RequestOptions): Promise<Response> {
  let token = accessTokenNow();
  if (!token && (await refresh())) token = accessTokenNow();
  let response = await send(path, options, token);
  if (response.status === 401 && (await refresh())) {
    response = await send(path, options, accessTokenNow());
    if (response.status === 401) forget("Your session ended. Sign in again.");
  }
  if (!response.ok) {
    const error = new ApiError(await problemOf(response));
    problemListeners.forEach((listener) => listener(error));
    throw error;
  }
  return response;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await answer(path, options);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get("content-type") ?? "";
  return (type.includes("json") ? await response.json() : await response.text()) as T;
}

/** The file name a Content-Disposition header gives, or the fallback. */
export function attachmentName(disposition: string | null, fallback: string): string {
  const match = /filename="?([^";]+)"?/i.exec(disposition ?? "");
  const name = match?.[1]?.trim().replace(/[\\/]/g, "_");
  return name || fallback;
}

/** A file from the API (an export), with the bearer token: its bytes and its name. */
export async function download(path: string, fallback: string, accept = "*/*"): Promise<{ blob: Blob; name: string }> {
  const response = await answer(path, { headers: { Accept: accept } });
  return { blob: await response.blob(), name: attachmentName(response.headers.get("content-disposition"), fallback) };
}

export const api = {
  get: <T>(path: string, query?: RequestOptions["query"], signal?: AbortSignal) =>
    request<T>(path, { query, ...(signal ? { signal } : {}) }),
  post: <T>(path: string, body?: unknown) => request<T>(path, { method: "POST", body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>(path, { method: "PATCH", body }),
  put: <T>(path: string, body: unknown) => request<T>(path, { method: "PUT", body }),
  delete: <T>(path: string, query?: RequestOptions["query"]) =>
    request<T>(path, { method: "DELETE", query }),
};
