/** Profiles: your own and other users'. */
import { defineRoute } from '../route-definition';
import {
  ownProfileSchema,
  updateProfileRequestSchema,
  userIdParamsSchema,
  usernameParamsSchema,
  userProfileSchema,
} from '../schemas/users';

export const getMe = /* @__PURE__ */ defineRoute({
  name: 'get-me',
  method: 'GET',
  path: '/users/me',
  auth: 'user',
  summary: 'Your own profile, as only you see it, with your presence',
  tag: 'Users',
  response: { status: 200, schema: ownProfileSchema, description: 'The profile' },
  // The profile and the feed head (presence), in parallel.
  // The account was deleted while its access token is still valid.
  errors: [404],
  access: { table: ['dynamodb:GetItem'] },
});

export const updateMe = /* @__PURE__ */ defineRoute({
  name: 'update-me',
  method: 'PATCH',
  path: '/users/me',
  auth: 'user',
  summary: "Change the caller's display name, location, picture or presence setting (showPresence)",
  tag: 'Users',
  request: { body: updateProfileRequestSchema },
  response: { status: 200, schema: ownProfileSchema, description: 'The updated profile' },
  errors: [413, 415],
  access: { table: ['dynamodb:UpdateItem', 'dynamodb:GetItem'] },
});

export const getUser = /* @__PURE__ */ defineRoute({
  name: 'get-user',
  method: 'GET',
  path: '/users/{id}',
  auth: 'user',
  summary: "Another user's public profile and presence (online, or lastActiveAt)",
  tag: 'Users',
  request: { params: userIdParamsSchema },
  response: { status: 200, schema: userProfileSchema, description: 'The public profile' },
  errors: [404],
  access: { table: ['dynamodb:GetItem'] },
});

export const findUserByUsername = /* @__PURE__ */ defineRoute({
  name: 'find-user-by-username',
  method: 'GET',
  path: '/users/by-username/{username}',
  auth: 'user',
  summary: 'Find a user by username (case-insensitive)',
  tag: 'Users',
  request: { params: usernameParamsSchema },
  response: { status: 200, schema: userProfileSchema, description: 'The public profile' },
  errors: [404],
  access: { table: ['dynamodb:GetItem'] },
});
