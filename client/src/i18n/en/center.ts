import type { center as de } from '../de/center';

/** Portal texts: the center's page, the list of centers and the topic chats for visitors (English). */
export const center: typeof de = {
  title: 'Counseling center',

  noCenters: 'No counseling center has been set up here yet.',
  listFailed: 'The list of counseling centers cannot be loaded right now. Please try again in a moment.',

  intro: 'Anonymous counseling online: in the live chat, in topic chats and with an anonymous account of your own.',
  liveHeading: 'Live chat',
  liveOpen: 'The live chat is open now. You can write to a counselor right away and anonymously.',
  liveFull: 'The live chat is open, but all places are taken right now. Please try again in a few minutes.',
  liveClosed: 'The live chat is closed right now. No counselor is in the chat at the moment.',
  liveUnknown: 'We cannot tell right now whether the live chat is open.',
  liveChecking: 'Checking whether the live chat is open …',
  liveStart: 'Start the live chat',
  liveStartHint: 'No name, no email address. The chat opens in a new tab.',
  hoursHeading: 'Chat hours',
  noHours: 'There are no fixed chat hours: the chat is open whenever someone from the team is there.',
  hoursTimeZone: (tz: string) => `All times in the time zone ${tz}.`,
  days: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  hoursRange: (from: string, to: string) => `${from} to ${to}`,
  topicsNowHeading: 'Topic chats running now',
  topicsNextHeading: 'Upcoming topic chats',
  noTopicsNow: 'No topic chat is running right now.',
  noTopicsNext: 'No further topic chats are scheduled right now.',
  topicsIntro: 'In a topic chat several people write with a counselor about one topic. You take part anonymously, with a nickname.',
  topicJoin: 'Join',
  topicJoinLabel: (title: string) => `Join the topic chat “${title}”`,
  accountHeading: 'Anonymous account',
  accountText: 'With an account you can write with your counselor in chat rooms and group chats of your own, and take part in topic chats.',
  noEmailNeeded: 'You need no email address to register – only a made-up name and a password.',
  register: 'Create an account',
  login: 'Log in',
  staffLogin: 'Log in for clients with an account and for the counseling team',

  timeRange: (startIso: string, endIso: string, timeZone: string) => {
    const day = (iso: string) => new Date(iso).toLocaleDateString('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
    const time = (iso: string) => new Date(iso).toLocaleTimeString('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
    return day(startIso) === day(endIso)
      ? `${day(startIso)}, ${time(startIso)} – ${time(endIso)}`
      : `${day(startIso)}, ${time(startIso)} – ${day(endIso)}, ${time(endIso)}`;
  },
  until: (endIso: string, timeZone: string) => `until ${new Date(endIso).toLocaleTimeString('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' })}`,
  messageTime: (iso: string) => new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' }),

  topicTitle: 'Topic chat',
  topicMissing: 'This topic chat does not exist (any more). Perhaps it was cancelled.',
  topicNotYet: (when: string) => `This topic chat has not started yet: ${when}. You can join from its start.`,
  topicOver: 'This topic chat is over.',
  topicWhen: 'When',
  topicAnonymous:
    'You take part anonymously: you need no account, no name and no email address. The others see only your nickname. Please write nothing that could identify you.',
  nicknameLabel: 'Your nickname in this chat',
  nicknameHint: '2 to 40 characters. Not your real name – a made-up one is best.',
  join: 'Join the topic chat',
  joining: 'Joining …',
  nicknameTaken: 'Someone in this chat already uses this nickname (or one that looks almost the same). Please choose another one.',
  nicknameStaff: 'This nickname looks like the name of someone on the counseling team. Please choose another one so that nobody mistakes you for them.',
  nicknameLength: 'A nickname has 2 to 40 characters.',
  nicknameInvisible: 'The nickname contains invisible or control characters. Please use only visible letters, digits and punctuation.',
  nicknameLetters: 'A nickname needs at least two letters or digits.',
  nicknameInvalid: 'This nickname cannot be used. Please choose another one.',
  topicFull: 'This topic chat is full: all places are taken. Perhaps one of the next topic chats suits you.',
  topicNotOpen: 'This topic chat has not started yet or is already over.',
  removed: 'The moderator has removed you from this topic chat.',
  backToCenter: 'Back to the center’s start page',

  chatWith: (nickname: string) => `You are writing as “${nickname}”.`,
  log: 'Messages in the topic chat',
  you: 'You',
  sending: 'sending …',
  failed: 'not sent',
  retry: 'Send again',
  muted: 'The moderator has muted you: your messages are not accepted right now.',
  messageLabel: 'Your message to everyone in the topic chat',
  send: 'Send',
  typing: (names: string) => `${names} is typing …`,
  reconnecting: 'Connection lost – reconnecting …',
  leave: 'Leave the topic chat',
  leaveConfirm: 'Really leave the topic chat?',
  leaveYes: 'Yes, leave',
  leaveNo: 'Keep writing',
  left: 'You have left the topic chat.',
  rejoin: 'Join again',
  ended: {
    ended: 'The topic chat is over. Thank you for taking part.',
    cancelled: 'The topic chat was cancelled.',
    removed: 'The moderator has removed you from this topic chat.',
    gone: 'The topic chat is over.',
  },
  endedDefault: 'The topic chat is over.',
};
