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
      credentials: "omit",
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(networkProblem());
  }
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let token = accessTokenNow();
  if (!token && (await refresh())) token = accessTokenNow();
  let response = await send(path, options, token);
  if (response.status === 401 && (await refresh())) {
    response = await send(path, options, accessTokenNow());
    if (response.status === 401) forget("Your session ended. Sign in again.");
  }
  if (!response.ok) throw new ApiError(await problemOf(response));
  if (response.status === 204) return undefined as T;
  const type = response.headers.get("content-type") ?? "";
  return (type.includes("json") ? await response.json() : await response.text()) as T;
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
