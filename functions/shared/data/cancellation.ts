/**
 * Reasons a transaction was cancelled, one per item in request order ('None' for items that passed).
 * Its own module (no client, no config) so the HTTP error mapping can use it without loading either.
 */
export function cancellationCodes(error: unknown): string[] | undefined {
  if (error instanceof Error && error.name === 'TransactionCanceledException') {
    const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
    return (reasons ?? []).map((reason) => reason.Code ?? 'None');
  }
  return undefined;
}
