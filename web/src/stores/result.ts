/** How stores report the outcome of an API call: the value, or the problem details to show the person. */
import { type Problem, toProblem } from '../../../client';

export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export const failure = (detail: string, status = 0): { ok: false; problem: Problem } => ({
  ok: false,
  problem: { type: 'about:blank', title: 'Error', status, detail },
});

/** Awaits an openapi-fetch call; a network failure becomes a problem with status 0 (worth retrying). */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Result<T>> {
  try {
    const { data, error, response } = await request;
    if (response.ok) return { ok: true, value: data as T };
    return { ok: false, problem: toProblem(error, response) };
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    return { ok: false, problem: toProblem(undefined) };
  }
}

/** Failures that may succeed later unchanged: no answer at all, throttling, or a busy backend. */
export const isTransient = (problem: Problem) =>
  problem.status === 0 || problem.status === 429 || problem.status >= 500;
