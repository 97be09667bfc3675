/**
 * The handler pipeline (pipeline.ts) with the route's limits (functions/shared/limits): what every route
 * touching the table uses. Refusals are counted as `CallsRefusedByLimits`, by route.
 */

import { Limiter } from '../limits';
import { metrics } from '../metrics';
import type { RouteDefinition } from '../route-definition';
import { type HttpReply, type HttpRequest, plainHttpHandler } from './pipeline';

export type { HttpReply, HttpRequest };

export function httpHandler<const R extends RouteDefinition>(
  route: R,
  run: (request: HttpRequest<R>) => Promise<HttpReply<R> | undefined>,
) {
  return plainHttpHandler(route, run, (limited, subjects) => new Limiter(limited, subjects, countRefusals));
}

const countRefusals = (route: RouteDefinition) =>
  metrics.count('CallsRefusedByLimits', { route: route.name });
