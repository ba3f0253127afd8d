export { type EmailOp, emailKeys } from './email-ops.js';
export { type HelpCenterOp, helpCenterKeys, isNotesArticle, NOTES_ARTICLE_KEY } from './help-center-ops.js';
export { type KeyCodec, type Revision, splitRevision, withRevision } from './key-codec.js';
export { ANNOUNCEMENT_POST_KEY, isAnnouncementPost, type SlackOp, slackKeys } from './slack-ops.js';
export { type TrackerItem, type TrackerOp, trackerKeys } from './tracker-ops.js';
