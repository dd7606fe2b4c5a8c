// Every refusal from Atlas is problem+json with a stable code: the UI speaks in those.
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: { field?: string; message?: string }[];
  retryAfter?: number;
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title || problem.code);
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string {
    return this.problem.code;
  }
}

export async function problemOf(response: Response): Promise<Problem> {
  const retry = Number(response.headers.get("retry-after") ?? "");
  const base: Problem = {
    status: response.status,
    code: `http.${response.status}`,
    title: response.statusText || "Request failed",
    ...(Number.isFinite(retry) && retry > 0 ? { retryAfter: retry } : {}),
  };
  try {
    const body = (await response.json()) as Partial<Problem> & { extra?: unknown };
    return { ...base, ...body, status: response.status };
  } catch {
    return base;
  }
}

export function networkProblem(): Problem {
  return {
    status: 0,
    code: "network.unreachable",
    title: "Atlas cannot be reached",
    detail: "Check your connection; Atlas will retry when you try again.",
  };
}

/** What to tell a person, in one sentence. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    const p = error.problem;
    const detail = p.detail && p.detail !== p.title ? ` ${p.detail}` : "";
    return `${p.title}.${detail}`.replace(/\.\./g, ".");
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
