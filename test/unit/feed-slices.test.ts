/** How a stream batch's deliveries are cut into slices that one writer takes, posts and writes in time. */
import { describe, expect, it, vi } from 'vitest';

// publisher.ts reads its configuration at load; only the slicing is exercised here.
vi.hoisted(() => {
  process.env.TABLE_NAME ??= 'unit-test-table';
});

import { byRecipientSlices, type Delivery } from '../../functions/shared/events/publisher';

const delivery = (index: number, userId: string): Delivery => ({
  index,
  userId,
  event: { type: 'member.removed', conversationId: 'c', userId },
});

describe('byRecipientSlices', () => {
  it("keeps each recipient's events together and in order, in slices of about the size asked for", () => {
    const deliveries = [
      delivery(0, 'a'),
      delivery(0, 'b'),
      delivery(1, 'a'),
      delivery(1, 'c'),
      delivery(2, 'a'),
      delivery(2, 'd'),
    ];

    const slices = byRecipientSlices(deliveries, 4);

    expect(slices.map((slice) => slice.map(({ userId, index }) => `${userId}${index}`))).toEqual([
      ['a0', 'a1', 'a2', 'b0'],
      ['c1', 'd2'],
    ]);
  });

  it('gives a recipient with more events than a slice holds a slice of their own, and nothing for nothing', () => {
    const many = Array.from({ length: 5 }, (_, i) => delivery(i, 'a'));

    expect(byRecipientSlices([delivery(0, 'b'), ...many], 3).map((slice) => slice.length)).toEqual([1, 5]);
    expect(byRecipientSlices([], 3)).toEqual([]);
  });
});
