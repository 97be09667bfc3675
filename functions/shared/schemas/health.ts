import * as v from 'valibot';
import { defineSchema } from './define';

export const healthResponseSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(v.object({ status: v.literal('ok') }), v.metadata({ id: 'Health' })),
);
