import type { errors as de } from '../de/errors';

/** Every error code of docs/errors.md as a plain sentence (English). */
export const errors: typeof de = {
  UNAUTHORIZED: 'You are not logged in (any more), or the name and password do not match.',
  FORBIDDEN: 'You are not allowed to do this here.',
  NOT_FOUND: 'This does not exist (any more), or you have no access to it.',
  VALIDATION_FAILED: 'Please check what you entered.',
  RATE_LIMITED: 'Too many attempts in a short time. Please wait a moment and try again.',
  CONFLICT: 'This exists already, or it is not possible right now.',
  LIVE_CLOSED: 'The live chat is closed right now.',
  QUEUE_FULL: 'Too many people are waiting right now. Please try again a little later.',
  ALREADY_WAITING: 'You are already waiting or already in a chat.',
  TOPIC_NOT_OPEN: 'This topic chat has not started yet or is over.',
  TOPIC_FULL: 'This topic chat is full.',
  PAYLOAD_TOO_LARGE: 'This is too long. Please shorten the text.',
  UNSUPPORTED_MEDIA_TYPE: 'This kind of data cannot be accepted.',
  VIDEO_NOT_CONFIGURED: 'Video calls are not set up here (yet).',
  INTERNAL: 'Something went wrong on our side. Please try again.',
  NETWORK: 'No connection to the server. Please check your internet connection.',
};
