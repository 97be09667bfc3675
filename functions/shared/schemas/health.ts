import * as z from 'zod/mini';
import { defineSchema } from './define';

export const healthResponseSchema = /* @__PURE__ */ defineSchema(() =>
  z.object({ status: z.literal('ok') }).register(z.globalRegistry, { id: 'Health' }),
);
