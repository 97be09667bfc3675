/**
 * Holds every answer the e2e tests get against docs/openapi.json: the operation must list the status, and the
 * content type must be one it lists. So the document names every status each operation can return (what a
 * generated client needs), checked by every request every e2e test makes.
 */
import { readFileSync } from 'node:fs';

type Operation = { responses: Record<string, { content?: Record<string, unknown> }> };

const document = JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
};

const templates = Object.entries(document.paths)
  .map(([template, operations]) => {
    const segments = template.split('/').filter(Boolean);
    const pattern = segments
      .map((segment) => (/^\{.+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const parameters = segments.filter((segment) => segment.startsWith('{')).length;
    return {
      template,
      operations,
      pattern: new RegExp(`^/${pattern}/?$`),
      specificity: segments.length * 10 - parameters,
    };
  })
  .sort((a, b) => b.specificity - a.specificity);

/** Why this answer is not what the document says, or undefined when it is. */
export function undocumentedAnswer(
  method: string,
  pathname: string,
  status: number,
  contentType: string | null,
): string | undefined {
  const match = templates.find(
    ({ pattern, operations }) => pattern.test(pathname) && operations[method.toLowerCase()],
  );
  // No operation: API Gateway's own 404 for an unknown route (or a preflight), not part of any operation.
  if (!match) return undefined;
  const operation = match.operations[method.toLowerCase()] as Operation;
  const response = operation.responses[String(status)];
  const where = `${method} ${match.template}`;
  if (!response) {
    return `${where} answered ${status}, which docs/openapi.json does not list (add it to the route's errors or alsoReturns)`;
  }
  const mediaType = contentType?.split(';')[0]?.trim();
  if (response.content && mediaType && !(mediaType in response.content)) {
    return `${where} answered ${status} as ${mediaType}; docs/openapi.json lists ${Object.keys(response.content).join(', ')}`;
  }
  return undefined;
}
