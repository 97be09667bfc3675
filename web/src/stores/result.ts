/** How stores report the outcome of an API call: the value, or the problem details to show the person. */
import { type Problem, retryAfterSeconds, toProblem } from '../../../client';

/** `retryAfter`: the seconds a refusal (429) asked us to wait (its Retry-After), when it said. */
export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem; retryAfter?: number };

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
    const retryAfter = retryAfterSeconds(response);
    return {
      ok: false,
      problem: toProblem(error, response),
      ...(retryAfter === undefined ? {} : { retryAfter }),
    };
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    return { ok: false, problem: toProblem(undefined) };
  }
}

/** Failures that may succeed later unchanged: no answer at all, throttling, or a busy backend. */
export const isTransient = (problem: Problem) =>
  problem.status === 0 || problem.status === 429 || problem.status >= 500;
