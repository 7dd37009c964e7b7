// The double opt-in page: the mail link carries center and token in the fragment (#…), which the
// browser never sends to a server or a log. It is posted once, then removed from the address bar.
// A link that is used, expired (48 h) or unknown gets the same answer; the page then offers a new
// link to the same address, asked for with the old token (only the mail's holder has it).
const status = document.getElementById('status')!;
const renew = document.getElementById('renew')!;
const renewButton = document.getElementById('renew-button') as HTMLButtonElement;
const renewStatus = document.getElementById('renew-status')!;
const params = new URLSearchParams(location.hash.slice(1));
const center = params.get('center');
const token = params.get('token');
history.replaceState(null, '', location.pathname);

function show(state: 'ok' | 'failed', text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

function showRenew(state: 'sent' | 'failed', text: string): void {
  renewStatus.dataset.state = state;
  renewStatus.textContent = text;
}

const post = (path: string, body: unknown) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function askForNewLink(c: string, t: string): Promise<void> {
  renewButton.disabled = true;
  try {
    const res = await post('/api/auth/confirm-email/resend', { center: c, token: t });
    if (res.ok) {
      showRenew(
        'sent',
        'Wenn dieser Link noch auf die Bestätigung wartete, ist ein neuer Link an dieselbe E-Mail-Adresse unterwegs. Bitte sehen Sie in Ihr Postfach (auch in den Spam-Ordner).',
      );
      return;
    }
    if (res.status === 429) {
      const seconds = Number(res.headers.get('retry-after') ?? '60');
      showRenew('failed', `Zu viele Anfragen. Bitte versuchen Sie es in ${Math.ceil(seconds / 60)} Minuten noch einmal.`);
    } else showRenew('failed', 'Das hat nicht geklappt. Bitte versuchen Sie es später noch einmal.');
    renewButton.disabled = false;
  } catch {
    showRenew('failed', 'Die Verbindung ist fehlgeschlagen. Bitte versuchen Sie es später noch einmal.');
    renewButton.disabled = false;
  }
}

if (!center || !token) {
  show('failed', 'Dieser Link ist unvollständig. Bitte öffnen Sie den Link aus der E-Mail noch einmal.');
} else {
  post('/api/auth/confirm-email', { center, token })
    .then((res) => {
      if (res.ok) show('ok', 'Danke! Ihre E-Mail-Adresse ist bestätigt. Sie erhalten Benachrichtigungen nur an diese Adresse.');
      else {
        show('failed', 'Dieser Link ist abgelaufen, wurde schon benutzt oder ist ungültig.');
        renew.hidden = false;
        renewButton.addEventListener('click', () => void askForNewLink(center, token));
      }
    })
    .catch(() => show('failed', 'Die Verbindung ist fehlgeschlagen. Bitte versuchen Sie es später noch einmal.'));
}

export {};
