import { expect } from 'vitest';
import type { ApiResponse } from './api';

/** Asserts an RFC 9457 problem response: status, media type, the four members, and the failing field if named. */
export function expectProblem(response: ApiResponse, status: number, field?: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    type: expect.stringMatching(/^urn:chat-backend:problem:/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  if (field !== undefined) {
    expect(response.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]),
    );
  }
}
