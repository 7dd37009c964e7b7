import { render } from 'preact';
import { ConsoleApp } from './app';
import { ConsoleSession } from './console-session';
import { pickConsoleDict } from './lang';
import '../lib/chat-base.css';
import './console-page.css';
import './console.css';

const { t, lang } = pickConsoleDict(new URLSearchParams(location.search).get('lang') ?? navigator.language);
document.documentElement.lang = lang;
const session = new ConsoleSession(sessionStorage, localStorage, t);
render(<ConsoleApp session={session} t={t} lang={lang} />, document.getElementById('app')!);
