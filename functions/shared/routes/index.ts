/**
 * The HTTP API: every route, its handler, its auth, its schemas and what its function may touch. The CDK
 * stack, the local gateway, the OpenAPI generator and the tests read `routes`; each handler imports only its
 * own entry from the feature module (`routes/messages.ts`, ...), so its bundle carries no other route.
 *
 * Adding a route: an entry in the feature's module (`export const x = /* @__PURE__ *\/ defineRoute({...})`,
 * no array spreads or other calls inside), listed below, and `functions/http/<name>.ts`. The bundle budget
 * test (test/infra/bundle-budgets.test.ts) checks each route's bundle against its budget.
 */
import type { RouteDefinition } from '../route-definition';
import { deleteMe, getDataExport, startDataExport } from './account-data';
import {
  changePassword,
  endSession,
  listSessions,
  login,
  logout,
  logoutAll,
  refreshToken,
  signUp,
} from './accounts';
import {
  adminDeleteUser,
  adminDisableUser,
  adminEnableUser,
  adminGetUser,
  adminListAudit,
  adminListReports,
  adminListUsers,
  adminRemoveMessage,
  adminResolveReport,
} from './admin';
import { blockUser, listBlocks, unblockUser } from './blocks';
import {
  addMembers,
  changeMemberRole,
  consentToRejoin,
  createConversation,
  getConversation,
  listConversations,
  removeMember,
  updateConversation,
} from './conversations';
import { createMedia, getMedia } from './media';
import {
  deleteMessage,
  editMessage,
  legacyListMessages,
  legacySendMessage,
  listMessages,
  listReplies,
  markRead,
  sendMessage,
} from './messages';
import { muteConversation, unmuteConversation } from './mutes';
import { addReaction, listReactions, removeReaction } from './reactions';
import { createReport } from './reports';
import { sync } from './sync';
import { health, jwks, openApi } from './system';
import { findUserByUsername, getMe, getUser, updateMe } from './users';

export * from './account-data';
export * from './accounts';
export * from './admin';
export * from './blocks';
export * from './conversations';
export * from './media';
export * from './messages';
export * from './mutes';
export * from './reactions';
export * from './reports';
export * from './sync';
export * from './system';
export * from './users';

export const routes: readonly RouteDefinition[] = [
  health,
  openApi,
  jwks,
  signUp,
  login,
  refreshToken,
  logout,
  logoutAll,
  listSessions,
  endSession,
  changePassword,
  getMe,
  updateMe,
  getUser,
  findUserByUsername,
  deleteMe,
  startDataExport,
  getDataExport,
  blockUser,
  unblockUser,
  listBlocks,
  createConversation,
  listConversations,
  getConversation,
  updateConversation,
  addMembers,
  removeMember,
  changeMemberRole,
  consentToRejoin,
  muteConversation,
  unmuteConversation,
  sendMessage,
  listMessages,
  listReplies,
  editMessage,
  deleteMessage,
  markRead,
  legacySendMessage,
  legacyListMessages,
  addReaction,
  removeReaction,
  listReactions,
  createMedia,
  getMedia,
  sync,
  createReport,
  adminListUsers,
  adminGetUser,
  adminDeleteUser,
  adminDisableUser,
  adminEnableUser,
  adminRemoveMessage,
  adminListAudit,
  adminListReports,
  adminResolveReport,
];
