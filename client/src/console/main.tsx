import { render } from 'preact';
import { ConsoleApp } from './app';
import { ConsoleSession } from './console-session';
import '../lib/chat-base.css';
import './console.css';

const session = new ConsoleSession(sessionStorage, localStorage);
render(<ConsoleApp session={session} />, document.getElementById('app')!);
