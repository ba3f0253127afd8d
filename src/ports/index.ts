export type { Channel, ChannelBundle, Delivered } from './channel.js';
export type { ChatMetadata, ChatPort, PostedMessage } from './chat.js';
export type { DocsCachePort, PageCompilerPort } from './docs.js';
export type { GitPort } from './git.js';
export type * from './help-center.js';
export type { IssueLookup, IssueTrackerPort } from './issue-tracker.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export type { EmailAddress, MailerPort, MailReceipt, OutgoingEmail } from './mailer.js';
export type {
  BundleMutation,
  FenceAttempt,
  LedgerPort,
  PagedPlan,
  SettleAttempt,
  SideRow,
  StoredBlob,
  StorePort,
} from './store.js';
export type {
  ConfirmationJob,
  ConfirmationOutcome,
  FollowerSource,
  SignupQuota,
  SignupStorePort,
  SubscriberStorePort,
} from './subscribers.js';
export type { TemplatePort, TemplateSource } from './templates.js';
export type { TokenPurpose, TokenSigner } from './tokens.js';
export type * from './trackers.js';
export type {
  DashboardUser,
  SessionLifetime,
  StoredSession,
  UserCredentials,
  UserRole,
  UserStorePort,
} from './users.js';
